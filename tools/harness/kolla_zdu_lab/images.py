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
"""Building the lab's images that are missing (see ``image_recipes``).

Every image is tagged with a hash of its inputs (its recipe files, the kolla
sources it copies, its build arguments and its parent's tag), so an image is
rebuilt only when an input changed, and reused otherwise, across labs.
Debian roots come from ``debootstrap``, brought in with ``docker import``;
the rest from ``docker build``. A recipe's Python packages come from a
wheelhouse the host downloads (see ``wheels.py``) for the Python of the
Debian suite the image is built on, copied into the build context as
``wheels/``.

``KOLLA_ZDU_LAB_BUILD_CPU_SHARES`` gives every ``docker build`` that CPU
weight (``--cpu-shares``, 1024 being docker's default), so that builds on a
busy machine take only the CPU the rest leaves.
"""

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
from kolla_zdu_lab import image_recipes
from kolla_zdu_lab import kolla_sources
from kolla_zdu_lab import paths
from kolla_zdu_lab import progress
from kolla_zdu_lab import settings as settings_mod
from kolla_zdu_lab import wheels

LOG = logging.getLogger(__name__)
HASH_LENGTH = 12
CPU_SHARES_VARIABLE = "KOLLA_ZDU_LAB_BUILD_CPU_SHARES"
# docker refuses --cpu-shares below 2.
MIN_CPU_SHARES = 2


def debootstrap_argv(spec, root, mirror):
    """Return the debootstrap command that makes the root of ``spec``."""
    argv = ["debootstrap", "--variant=%s" % spec["variant"]]
    if spec.get("include"):
        argv.append("--include=%s" % ",".join(spec["include"]))
    return argv + [spec["suite"], root, mirror]


def build_cpu_shares(environ=None):
    """Return the CPU weight ``KOLLA_ZDU_LAB_BUILD_CPU_SHARES`` asks for.

    :returns: an int, or None when the variable is unset or empty.
    :raises LabError: when it is not an integer of at least 2.
    """
    value = (os.environ if environ is None else environ).get(
        CPU_SHARES_VARIABLE, "").strip()
    if not value:
        return None
    try:
        shares = int(value)
    except ValueError:
        shares = 0
    if shares < MIN_CPU_SHARES:
        raise errors.LabError(
            reason="%s must be an integer of at least %d (docker's "
                   "--cpu-shares; 1024 is its default weight), not %r"
                   % (CPU_SHARES_VARIABLE, MIN_CPU_SHARES, value))
    return shares


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

    def __init__(self, lab_settings, cpu_shares=None):
        """Name, find and build images for the lab of ``lab_settings``.

        :param cpu_shares: the CPU weight of every ``docker build``; by
            default ``KOLLA_ZDU_LAB_BUILD_CPU_SHARES``, else docker's.
        """
        self.settings = lab_settings
        self.cache_dir = lab_settings.path("cache")
        self.cpu_shares = (build_cpu_shares() if cpu_shares is None
                           else cpu_shares)
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
        if name in image_recipes.ROOTFS_SPECS:
            return name
        return image_recipes.RECIPES[name].recipe_dir

    def _tag(self, name):
        if name in image_recipes.ROOTFS_SPECS:
            return digest(dict(image_recipes.ROOTFS_SPECS[name],
                               mirror=self.settings.mirror))
        recipe = image_recipes.RECIPES[name]
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
        if name in image_recipes.ROOTFS_SPECS:
            self._build_rootfs(name, reference)
        else:
            self.ensure(image_recipes.RECIPES[name].parent)
            self._build_recipe(image_recipes.RECIPES[name], reference)
        return reference

    def _build_recipe(self, recipe, reference):
        LOG.info("building image %s", reference)
        context = tempfile.mkdtemp(prefix="build-%s-" % recipe.name,
                                   dir=self._scratch_dir())
        try:
            self._fill_context(recipe, context)
            argv = self.build_argv(recipe, reference)
            env = dict(os.environ, DOCKER_BUILDKIT="0")
            with progress.Stopwatch() as watch:
                commands.run_logged(
                    argv + [context], self._log("build-%s" % recipe.name),
                    on_line=self._report_build_step, env=env, timeout=1800,
                    what="building image %s" % reference)
            LOG.info("built %s in %.0f s", reference, watch.seconds)
        finally:
            shutil.rmtree(context, ignore_errors=True)

    def build_argv(self, recipe, reference):
        """Return the ``docker build`` command, without its context."""
        argv = ["docker", "build", "--force-rm",
                "--label", "%s.image=%s" % (settings_mod.LABEL, recipe.name),
                "--build-arg", "%s=%s" % (recipe.parent_arg,
                                          self.reference(recipe.parent)),
                "-t", reference]
        if self.cpu_shares is not None:
            argv[3:3] = ["--cpu-shares", str(self.cpu_shares)]
        for key, value in recipe.build_args:
            argv += ["--build-arg", "%s=%s" % (key, value)]
        return argv

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
            suite = image_recipes.suite_of(recipe.name)
            wheels.copy_wheelhouse(
                wheels.ensure_wheelhouse(
                    recipe.wheels,
                    log_path=self._log("wheels-%s" % recipe.name),
                    target=wheels.TARGETS[suite]),
                os.path.join(context, "wheels"))

    @staticmethod
    def _report_build_step(line):
        if line.startswith("Step "):
            LOG.info("  %s", line[:110])

    def _build_rootfs(self, name, reference):
        if os.geteuid() != 0:
            raise errors.LabError(
                reason="debootstrap must run as root to build %s" % reference)
        if not shutil.which("debootstrap"):
            raise errors.LabError(
                reason="debootstrap is not installed; run "
                       "`apt-get install -y debootstrap`")
        LOG.info("building image %s with debootstrap (about a minute)",
                 reference)
        spec = image_recipes.ROOTFS_SPECS[name]
        root = tempfile.mkdtemp(prefix="%s-" % name, dir=self._scratch_dir())
        try:
            with progress.Stopwatch() as watch:
                commands.run_logged(
                    debootstrap_argv(spec, root, self.settings.mirror),
                    self._log("build-%s" % name), timeout=1200,
                    what="debootstrap %s from %s"
                         % (spec["suite"], self.settings.mirror))
                self._import_rootfs(name, root, reference)
            LOG.info("built %s in %.0f s", reference, watch.seconds)
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def _import_rootfs(self, name, root, reference):
        remove_apt_caches(root)
        tar = subprocess.Popen(["tar", "-C", root, "-c", "."],
                               stdout=subprocess.PIPE)
        try:
            commands.run_logged(
                ["docker", "import", "--change", 'CMD ["/bin/bash"]',
                 "--change", "LABEL %s.image=%s" % (settings_mod.LABEL, name),
                 "-", reference],
                self._log("build-%s" % name), stdin=tar.stdout, timeout=600,
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
                recipe = image_recipes.RECIPES.get(name)
                name = recipe.parent if recipe else None
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
