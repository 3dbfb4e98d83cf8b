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
"""The lab's images: what each is built from (``images`` builds them).

* ``rootfs``: Debian bookworm from ``debootstrap --variant=minbase``,
  brought in with ``docker import``, and ``rootfs-trixie``, Debian trixie
  alike;
* ``node``, ``registry`` and ``base`` (kolla-compatible), built from
  ``rootfs``, and ``base-trixie``, the same base on ``rootfs-trixie``;
* ``haproxy``, ``keepalived`` and ``zdu-demo`` (v1 and v2), built from
  ``base`` and pushed to the lab registry for kolla-ansible to pull;
* the keystone profile's images, also built from ``base``: for each keystone
  release ``keystone-base-V`` and the pushed ``keystone-V``,
  ``keystone-fernet-V`` and ``keystone-ssh-V``, and the pushed
  ``memcached``, ``kolla-toolbox`` and ``cron``;
* the heat profile's images: the keystone profile's, and for each heat
  release ``heat-base-V`` (from ``base``) and the pushed ``heat-api-V``,
  ``heat-api-cfn-V`` and ``heat-engine-V``; ``rabbitmq`` (RabbitMQ 4.0
  from Debian trixie) and ``kolla-toolbox-trixie`` (with RabbitMQ's CLI),
  from ``base-trixie``;
* ``mariadb-server``, the lab's database server (see ``database.py``).

A recipe's Python packages come from a wheelhouse the host downloads (see
``wheels.py``) for the Python of the Debian suite the image is built on,
copied into the build context as ``wheels/``.
"""

import dataclasses
import os

from kolla_zdu_lab import paths
from kolla_zdu_lab import settings as settings_mod

ROOTFS_SPEC = {"suite": "bookworm", "variant": "minbase", "format": 1}
# The Debian roots, by image name. trixie's minbase lacks adduser, whose
# adduser.conf the kolla-base recipe edits as kolla's base image does.
ROOTFS_SPECS = {"rootfs": ROOTFS_SPEC,
                "rootfs-trixie": dict(ROOTFS_SPEC, suite="trixie",
                                      include=["adduser"])}
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
# heat-base's alike, with python-openstackclient, which kolla's
# openstack-base carries and heat-api's bootstrap runs (``openstack domain
# create heat_user_domain``, ...).
HEAT_WHEELS = KEYSTONE_WHEELS + ("python-openstackclient",)
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


def heat_recipes(version):
    """Return the recipes of the heat images of release ``version``.

    heat-base carries uWSGI, as kolla's openstack-base does, so every heat
    image has it; heat-api's adds kolla's bootstrap (db_sync and the stack
    domain).
    """
    base = "heat-base-%s" % version
    image = dict(parent=base, parent_arg="BASE", tag_prefix="%s-" % version,
                 registry_tag=version)
    return [
        Recipe(name=base, recipe_dir="heat-base", parent="base",
               parent_arg="BASE", tag_prefix="%s-" % version,
               kolla_dir="heat/heat-base", kolla_files=("extend_start.sh",),
               build_args=(("HEAT_VERSION", version),),
               wheels=("openstack-heat==%s" % version,) + HEAT_WHEELS),
        Recipe(name="heat-api-%s" % version, recipe_dir="heat-api",
               kolla_dir="heat/heat-api", kolla_files=("extend_start.sh",),
               **image),
        Recipe(name="heat-api-cfn-%s" % version, recipe_dir="heat-api-cfn",
               **image),
        Recipe(name="heat-engine-%s" % version, recipe_dir="heat-engine",
               **image),
    ]


# The heat profile's images on Debian trixie: RabbitMQ 4.0 (bookworm has
# 3.10, older than kolla 2026.1 upgrades from), and a kolla-toolbox with
# its CLI, which kolla's rabbitmq role runs `rabbitmq-upgrade drain` in.
TRIXIE_RECIPES = [
    Recipe(name="base-trixie", recipe_dir="kolla-base",
           parent="rootfs-trixie", parent_arg="ROOTFS", kolla_dir="base",
           kolla_files=tuple(KOLLA_BASE_FILES)),
    Recipe(name="rabbitmq", recipe_dir="rabbitmq", parent="base-trixie",
           parent_arg="BASE", kolla_dir="rabbitmq",
           kolla_files=("extend_start.sh", "healthcheck_rabbitmq")),
    Recipe(name="kolla-toolbox-trixie", recipe_dir="kolla-toolbox-trixie",
           parent="base-trixie", parent_arg="BASE",
           kolla_dir="kolla-toolbox",
           kolla_files=("ansible.cfg", "ansible_sudoers", "extend_start.sh",
                        "kolla_toolbox.sh"),
           extra_files=tuple(
               (name, os.path.join(paths.RECIPES_DIR, recipe_dir, name))
               for recipe_dir, name in (("kolla-toolbox", "keep-collections"),
                                        ("rabbitmq", "debian-scripts"))),
           wheels=TOOLBOX_WHEELS),
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
KEYSTONE_IMAGES = ("keystone", "keystone-fernet", "keystone-ssh")
HEAT_IMAGES = ("heat-api", "heat-api-cfn", "heat-engine")


def versioned(names, version):
    """Return the lab image names of kolla images ``names`` at ``version``."""
    return tuple("%s-%s" % (name, version) for name in names)


def every_version(names, versions):
    """Return the lab images of kolla images ``names`` at each version."""
    return tuple(image for version in versions
                 for image in versioned(names, version))


RELEASE_PROFILE = {
    "demo": lambda versions: ("zdu-demo-%s" % versions["demo"],),
    "keystone": lambda versions: ("memcached", "kolla-toolbox", "cron") +
    versioned(KEYSTONE_IMAGES, versions["keystone"]),
    "heat": lambda versions: ("memcached", "kolla-toolbox-trixie", "cron",
                              "rabbitmq") +
    versioned(KEYSTONE_IMAGES, versions["keystone"]) +
    versioned(HEAT_IMAGES, versions["heat"]),
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
     for recipe in keystone_recipes(version)]
  + [recipe for version in settings_mod.HEAT_VERSIONS
     for recipe in heat_recipes(version)]
  + TRIXIE_RECIPES}
RECIPES.update({name: release_recipe(of, release)
                for release in settings_mod.RELEASES
                for profile in settings_mod.PROFILES
                for name, of in release_images(profile, release).items()})

# The images kolla-ansible pulls from the lab registry, by kolla image name.
KOLLA_IMAGES = dict(
    {"haproxy": "haproxy", "keepalived": "keepalived",
     "zdu-demo-v1": "zdu-demo", "zdu-demo-v2": "zdu-demo",
     "memcached": "memcached", "kolla-toolbox": "kolla-toolbox",
     "cron": "cron", "rabbitmq": "rabbitmq",
     "kolla-toolbox-trixie": "kolla-toolbox"},
    **{"%s-%s" % (kolla_name, version): kolla_name
       for versions, names in ((settings_mod.KEYSTONE_VERSIONS,
                                KEYSTONE_IMAGES),
                               (settings_mod.HEAT_VERSIONS, HEAT_IMAGES))
       for version in versions for kolla_name in names})
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


def suite_of(name):
    """Return the Debian suite image ``name`` is built on."""
    while name not in ROOTFS_SPECS:
        name = RECIPES[name].parent
    return ROOTFS_SPECS[name]["suite"]
