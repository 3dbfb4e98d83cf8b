# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.
"""The lab's images: what each is built from, and building what is missing.

Every image is tagged with a hash of its inputs (its recipe files, the kolla
sources it copies, its build arguments and its parent's tag), so an image is
rebuilt only when an input changed, and reused otherwise, across labs.

* ``rootfs``: Debian bookworm from ``debootstrap --variant=minbase``,
  brought in with ``docker import``;
* ``node``, ``registry`` and ``base`` (kolla-compatible), built from it;
* ``haproxy``, ``keepalived`` and ``zdu-demo`` (v1 and v2), built from
  ``base`` and pushed to the lab registry for kolla-ansible to pull;
* the keystone profile's images, also built from ``base``: for each keystone
  release ``keystone-base-V`` and the pushed ``keystone-V``,
  ``keystone-fernet-V`` and ``keystone-ssh-V``, and the pushed
  ``memcached``, ``kolla-toolbox`` and ``cron``;
* ``mariadb-server``, the lab's database server (see ``database.py``).

A recipe's Python packages come from a wheelhouse the host downloads (see
``wheels.py``), copied into the build context as ``wheels/``.
"""

import dataclasses
import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile

from kolla_zdu_lab import commands
from kolla_zdu_lab import dockercli
from kolla_zdu_lab import errors
from kolla_zdu_lab import kolla_sources
from kolla_zdu_lab import paths
from kolla_zdu_lab import progress
from kolla_zdu_lab import settings as settings_mod
from kolla_zdu_lab import wheels

LOG = logging.getLogger(__name__)
HASH_LENGTH = 12
ROOTFS_SPEC = {"suite": "bookworm", "variant": "minbase", "format": 1}
KOLLA_BASE_FILES = [
    "dpkg_reducing_disk_footprint", "set_configs.py", "start.sh",
    "copy_cacerts.sh", "install_projects.sh", "kolla_patch.sh", "sudoers",
    "healthcheck_curl", "healthcheck_filemod", "healthcheck_listen",
    "healthcheck_port", "healthcheck_socket",
]


@dataclasses.dataclass(frozen=True)
class Recipe(object):
    """How to build one image with ``docker build``."""

    name: str
    recipe_dir: str
    parent: str
    parent_arg: str
    kolla_dir: str = ""
    kolla_files: tuple = ()
    extra_files: tuple = ()
    build_args: tuple = ()
    tag_prefix: str = ""
    registry_tag: str = ""
    wheels: tuple = ()
    # The kolla release whose sources ``kolla_files`` come from; by default
    # the one matching the installed kolla-ansible.
    kolla_version: str = ""
    # Copy ``kolla_files`` with mode 755, for a Dockerfile that cannot run
    # chmod (its parent's USER may not be root).
    kolla_files_executable: bool = False


def demo_recipe(version):
    """Return the recipe of the zdu-demo image of release ``version``."""
    return Recipe(name="zdu-demo-%s" % version, recipe_dir="zdu-demo",
                  parent="base", parent_arg="BASE",
                  extra_files=(("zdu_demo.py", paths.DEMO_SERVICE_FILE),),
                  build_args=(("ZDU_DEMO_VERSION", version),
                              ("ZDU_DEMO_SCHEMA", version.lstrip("v"))),
                  tag_prefix="%s-" % version, registry_tag=version)


# What kolla's keystone-base installs beside keystone, for the lab's
# keystone.conf: PyMySQL for [database], python-memcached for oslo.cache's
# memcache_pool backend, and pymemcache for its dogpile backend. The
# ``ldap`` extra is left out: python-ldap has no binary wheel.
KEYSTONE_WHEELS = ("PyMySQL", "python-memcached", "pymemcache")
# kolla-toolbox's pip packages, with the ``ansible`` package for the
# collections (openstack.cloud, community.mysql, ...) kolla installs from
# Galaxy. ansible 12 brings ansible-core 2.19, the newest that runs on
# bookworm's Python 3.11 (kolla 22 asks for 2.20, which needs 3.12). Its
# openstack.cloud 2.5.0 reads ``openstack.version`` without importing it,
# which openstacksdk imports itself only up to 4.14: every openstack.cloud
# module fails with newer ones.
TOOLBOX_WHEELS = (
    "ansible>=12,<13", "ansible-runner", "cmd2", "openstacksdk<4.15",
    "os-client-config", "pbr", "PyMySQL", "python-ironicclient",
    "python-openstackclient", "pytz", "pyudev",
)


def keystone_recipes(version):
    """Return the recipes of the keystone images of release ``version``."""
    base = "keystone-base-%s" % version
    image = dict(parent=base, parent_arg="BASE", tag_prefix="%s-" % version,
                 registry_tag=version)
    return [
        Recipe(name=base, recipe_dir="keystone-base", parent="base",
               parent_arg="BASE", tag_prefix="%s-" % version,
               build_args=(("KEYSTONE_VERSION", version),),
               wheels=("keystone==%s" % version,) + KEYSTONE_WHEELS),
        Recipe(name="keystone-%s" % version, recipe_dir="keystone",
               kolla_dir="keystone/keystone",
               kolla_files=("extend_start.sh", "keystone_bootstrap.sh"),
               **image),
        Recipe(name="keystone-fernet-%s" % version,
               recipe_dir="keystone-fernet",
               kolla_dir="keystone/keystone-fernet",
               kolla_files=("extend_start.sh", "fetch_fernet_tokens.py",
                            "keystone_bootstrap.sh"),
               **image),
        Recipe(name="keystone-ssh-%s" % version, recipe_dir="keystone-ssh",
               kolla_dir="keystone/keystone-ssh",
               kolla_files=("extend_start.sh",), **image),
    ]


# kolla's own scripts every image of a release carries, from that release
# of kolla: kolla 23's kolla_set_configs reads the permissions kolla-ansible
# 23 writes ("2775"), which kolla 22's refuses.
RELEASE_KOLLA_FILES = ("set_configs.py", "start.sh", "copy_cacerts.sh",
                       "healthcheck_curl", "healthcheck_filemod",
                       "healthcheck_listen", "healthcheck_port",
                       "healthcheck_socket")


def release_recipe(name, release):
    """Return the recipe of image ``name`` as part of ``release``."""
    return Recipe(name=release_image(name, release), recipe_dir="release",
                  parent=name, parent_arg="BASE",
                  build_args=(("ZDU_LAB_RELEASE", release),),
                  tag_prefix="%s-" % release, registry_tag=release,
                  kolla_dir="base", kolla_files=RELEASE_KOLLA_FILES,
                  kolla_files_executable=True,
                  kolla_version=settings_mod.RELEASES[release]
                  ["kolla-ansible"])


def release_image(name, release):
    """Return the lab image name of image ``name`` in ``release``."""
    return "release-%s-%s" % (release, name)


# The kolla images of a release, per profile, by the image they are of.
RELEASE_COMMON = ("haproxy", "keepalived")
RELEASE_PROFILE = {
    "demo": lambda versions: ("zdu-demo-%s" % versions["demo"],),
    "keystone": lambda versions: ("memcached", "kolla-toolbox", "cron") +
    tuple("%s-%s" % (name, versions["keystone"])
          for name in ("keystone", "keystone-fernet", "keystone-ssh")),
}


# The kolla images a release renames, from the old kolla name to the new:
# kolla 2026.2 (kolla-ansible 23) names keystone's API image keystone-api.
# The release pushes its image under both names, so that the release runs
# with either kolla-ansible.
RELEASE_RENAMES = {"2026.2": {"keystone": "keystone-api"}}


def release_images(profile, release):
    """Return ``{release image: image it is of}`` of ``release``."""
    versions = settings_mod.RELEASES[release]
    return {release_image(name, release): name
            for name in RELEASE_COMMON + RELEASE_PROFILE[profile](versions)}


def release_renamed_images(profile, release):
    """Return ``{release image: (image it is of, new kolla name)}``.

    These are the images of ``release`` that a kolla rename gives a second
    name (see ``RELEASE_RENAMES``).
    """
    renamed = {}
    for old, new in RELEASE_RENAMES.get(release, {}).items():
        for name in release_images(profile, release).values():
            if KOLLA_IMAGES.get(name) == old:
                renamed[release_image(new + name[len(old):], release)] = (
                    name, new)
    return renamed


RECIPES = {recipe.name: recipe for recipe in [
    Recipe(name="node", recipe_dir="node", parent="rootfs",
           parent_arg="ROOTFS"),
    Recipe(name="registry", recipe_dir="registry", parent="rootfs",
           parent_arg="ROOTFS"),
    Recipe(name="base", recipe_dir="kolla-base", parent="rootfs",
           parent_arg="ROOTFS", kolla_dir="base",
           kolla_files=tuple(KOLLA_BASE_FILES)),
    Recipe(name="haproxy", recipe_dir="haproxy", parent="base",
           parent_arg="BASE", kolla_dir="haproxy/haproxy",
           kolla_files=("ensure_latest_config.sh",)),
    Recipe(name="keepalived", recipe_dir="keepalived", parent="base",
           parent_arg="BASE", kolla_dir="keepalived",
           kolla_files=("check_alive.sh", "extend_start.sh")),
    Recipe(name="memcached", recipe_dir="memcached", parent="base",
           parent_arg="BASE"),
    Recipe(name="cron", recipe_dir="cron", parent="base", parent_arg="BASE",
           kolla_dir="cron", kolla_files=("extend_start.sh",)),
    Recipe(name="kolla-toolbox", recipe_dir="kolla-toolbox", parent="base",
           parent_arg="BASE", kolla_dir="kolla-toolbox",
           kolla_files=("ansible.cfg", "ansible_sudoers", "extend_start.sh",
                        "kolla_toolbox.sh"),
           wheels=TOOLBOX_WHEELS),
    Recipe(name="mariadb-server", recipe_dir="mariadb-server", parent="base",
           parent_arg="BASE"),
] + [demo_recipe(version) for version in settings_mod.DEMO_VERSIONS]
  + [recipe for version in settings_mod.KEYSTONE_VERSIONS
     for recipe in keystone_recipes(version)]}
RECIPES.update({name: release_recipe(of, release)
                for release in settings_mod.RELEASES
                for profile in settings_mod.PROFILES
                for name, of in release_images(profile, release).items()})

# The images kolla-ansible pulls from the lab registry, by kolla image name.
KOLLA_IMAGES = dict(
    {"haproxy": "haproxy", "keepalived": "keepalived",
     "zdu-demo-v1": "zdu-demo", "zdu-demo-v2": "zdu-demo",
     "memcached": "memcached", "kolla-toolbox": "kolla-toolbox",
     "cron": "cron"},
    **{"%s-%s" % (kolla_name, version): kolla_name
       for version in settings_mod.KEYSTONE_VERSIONS
       for kolla_name in ("keystone", "keystone-fernet", "keystone-ssh")})
KOLLA_IMAGES.update({name: KOLLA_IMAGES[of]
                     for release in settings_mod.RELEASES
                     for profile in settings_mod.PROFILES
                     for name, of in release_images(profile,
                                                    release).items()})
for _release in settings_mod.RELEASES:
    for _profile in settings_mod.PROFILES:
        for _name, (_of, _kolla) in release_renamed_images(
                _profile, _release).items():
            RECIPES[_name] = dataclasses.replace(
                release_recipe(_of, _release), name=_name)
            KOLLA_IMAGES[_name] = _kolla


def file_digest(path):
    """Return the sha256 of a file's content."""
    with open(path, "rb") as content:
        return hashlib.sha256(content.read()).hexdigest()


def digest(document):
    """Return a short hash of a JSON-serialisable document."""
    text = json.dumps(document, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:HASH_LENGTH]


def remove_apt_caches(root):
    """Delete the package lists and downloaded packages under ``root``."""
    for directory in ("var/lib/apt/lists", "var/cache/apt",
                      "var/cache/apt/archives"):
        directory = os.path.join(root, directory)
        for name in os.listdir(directory) if os.path.isdir(directory) else ():
            path = os.path.join(directory, name)
            if os.path.isfile(path) and name != "lock":
                os.remove(path)


class ImageBuilder(object):
    """Names, finds and builds the lab's images on the host's docker."""

    def __init__(self, lab_settings):
        self.settings = lab_settings
        self.cache_dir = lab_settings.path("cache")
        self._references = {}

    def reference(self, name):
        """Return the image reference of ``name``, with its inputs hash."""
        if name not in self._references:
            self._references[name] = "%s/%s:%s" % (
                settings_mod.IMAGE_PREFIX, self._repository(name),
                self._tag(name))
        return self._references[name]

    def tag(self, name):
        """Return only the tag part of the reference of ``name``."""
        return self.reference(name).rsplit(":", 1)[1]

    def _repository(self, name):
        if name == "rootfs":
            return "rootfs"
        return RECIPES[name].recipe_dir

    def _tag(self, name):
        if name == "rootfs":
            return digest(dict(ROOTFS_SPEC, mirror=self.settings.mirror))
        recipe = RECIPES[name]
        return recipe.tag_prefix + digest(self._inputs(recipe))

    def _inputs(self, recipe):
        recipe_dir = os.path.join(paths.RECIPES_DIR, recipe.recipe_dir)
        files = {name: file_digest(os.path.join(recipe_dir, name))
                 for name in sorted(os.listdir(recipe_dir))}
        files.update({name: file_digest(path)
                      for name, path in recipe.extra_files})
        kolla = ({"version": recipe.kolla_version or
                  kolla_sources.wanted_version(),
                  "dir": recipe.kolla_dir, "files": list(recipe.kolla_files)}
                 if recipe.kolla_files else None)
        inputs = {"recipe": recipe.recipe_dir, "files": files,
                  "kolla": kolla, "args": list(recipe.build_args),
                  "parent": self.reference(recipe.parent)}
        if recipe.wheels:
            inputs["wheels"] = list(recipe.wheels)
        return inputs

    def ensure(self, name):
        """Build image ``name`` (and its parents) unless the host has it.

        :returns: the image reference.
        """
        reference = self.reference(name)
        if dockercli.image_exists(reference):
            LOG.debug("image %s is cached", reference)
            return reference
        if name == "rootfs":
            self._build_rootfs(reference)
        else:
            self.ensure(RECIPES[name].parent)
            self._build_recipe(RECIPES[name], reference)
        return reference

    def _build_recipe(self, recipe, reference):
        LOG.info("building image %s", reference)
        context = tempfile.mkdtemp(prefix="build-%s-" % recipe.name,
                                   dir=self._scratch_dir())
        try:
            self._fill_context(recipe, context)
            argv = ["docker", "build", "--force-rm",
                    "--label", "%s.image=%s" % (settings_mod.LABEL,
                                                recipe.name),
                    "--build-arg", "%s=%s" % (recipe.parent_arg,
                                              self.reference(recipe.parent)),
                    "-t", reference]
            for key, value in recipe.build_args:
                argv += ["--build-arg", "%s=%s" % (key, value)]
            env = dict(os.environ, DOCKER_BUILDKIT="0")
            with progress.Stopwatch() as watch:
                commands.run_logged(
                    argv + [context], self._log("build-%s" % recipe.name),
                    on_line=self._report_build_step, env=env, timeout=1800,
                    what="building image %s" % reference)
            LOG.info("built %s in %.0f s", reference, watch.seconds)
        finally:
            shutil.rmtree(context, ignore_errors=True)

    def _fill_context(self, recipe, context):
        recipe_dir = os.path.join(paths.RECIPES_DIR, recipe.recipe_dir)
        for name in os.listdir(recipe_dir):
            shutil.copy(os.path.join(recipe_dir, name), context)
        for name, path in recipe.extra_files:
            shutil.copy(path, os.path.join(context, name))
        if recipe.kolla_files:
            source = os.path.join(
                kolla_sources.docker_dir(self.cache_dir,
                                         recipe.kolla_version or None),
                recipe.kolla_dir)
            os.makedirs(os.path.join(context, "kolla"))
            for name in recipe.kolla_files:
                target = os.path.join(context, "kolla", name)
                shutil.copy(os.path.join(source, name), target)
                if recipe.kolla_files_executable:
                    os.chmod(target, 0o755)
        if recipe.wheels:
            wheels.copy_wheelhouse(
                wheels.ensure_wheelhouse(
                    recipe.wheels,
                    log_path=self._log("wheels-%s" % recipe.name)),
                os.path.join(context, "wheels"))

    @staticmethod
    def _report_build_step(line):
        if line.startswith("Step "):
            LOG.info("  %s", line[:110])

    def _build_rootfs(self, reference):
        if os.geteuid() != 0:
            raise errors.LabError(
                reason="debootstrap must run as root to build %s" % reference)
        if not shutil.which("debootstrap"):
            raise errors.LabError(
                reason="debootstrap is not installed; run "
                       "`apt-get install -y debootstrap`")
        LOG.info("building image %s with debootstrap (about a minute)",
                 reference)
        root = tempfile.mkdtemp(prefix="rootfs-", dir=self._scratch_dir())
        try:
            with progress.Stopwatch() as watch:
                commands.run_logged(
                    ["debootstrap", "--variant=%s" % ROOTFS_SPEC["variant"],
                     ROOTFS_SPEC["suite"], root, self.settings.mirror],
                    self._log("build-rootfs"), timeout=1200,
                    what="debootstrap from %s" % self.settings.mirror)
                self._import_rootfs(root, reference)
            LOG.info("built %s in %.0f s", reference, watch.seconds)
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def _import_rootfs(self, root, reference):
        remove_apt_caches(root)
        tar = subprocess.Popen(["tar", "-C", root, "-c", "."],
                               stdout=subprocess.PIPE)
        try:
            commands.run_logged(
                ["docker", "import", "--change", 'CMD ["/bin/bash"]',
                 "--change", "LABEL %s.image=rootfs" % settings_mod.LABEL,
                 "-", reference],
                self._log("build-rootfs"), stdin=tar.stdout, timeout=600,
                what="docker import of %s" % reference)
        finally:
            tar.stdout.close()
            tar.wait()

    def prune_stale(self, names):
        """Remove lab images whose inputs changed since they were built.

        :param names: the images in use; they and their parents stay.
        """
        keep = set()
        for name in names:
            while name:
                keep.add(self.reference(name))
                name = RECIPES[name].parent if name in RECIPES else None
        output = dockercli.docker(
            "images", "--format", "{{.Repository}}:{{.Tag}}",
            "--filter", "reference=%s/*" % settings_mod.IMAGE_PREFIX)
        for reference in output.split():
            if reference not in keep and not reference.endswith(":<none>"):
                LOG.info("removing stale image %s", reference)
                dockercli.docker("rmi", reference, check=False)
        dockercli.docker("image", "prune", "--force", "--filter",
                         "label=%s.image" % settings_mod.LABEL, check=False)

    def _scratch_dir(self):
        path = os.path.join(self.cache_dir, "build")
        os.makedirs(path, exist_ok=True)
        return path

    def _log(self, name):
        return os.path.join(self.settings.logs_dir, "%s.log" % name)
