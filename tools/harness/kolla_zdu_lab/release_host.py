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
"""Where each release's kolla-ansible runs: the host, or a trixie chroot.

An operator moves to a release with that release's kolla-ansible. The lab
host runs the kolla-ansible installed beside the harness (22.x, 2026.1, on
Debian bookworm's Python 3.11). kolla-ansible 23 (2026.2) needs Python
3.12 or later, so for the profiles that take the real release path the lab
runs it on a deploy host of its own: a Debian trixie chroot (Debian's
python3.13) with a virtualenv holding that kolla-ansible, the collections
of the matching ``ansible`` package, and kolla-zdu-plugin installed from a
wheel built on the host from the plugin's source.

The chroot shares the host's network, so it reaches the nodes over SSH as
the host does. It gets a copy, at the same paths, of the lab's config dir,
SSH key and own playbook, and an inventory and ansible.cfg of its own,
which name its kolla-ansible's roles, modules and group_vars.
"""

import contextlib
import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile

import kolla_zdu_plugin

from kolla_zdu_lab import commands
from kolla_zdu_lab import errors
from kolla_zdu_lab import inventory
from kolla_zdu_lab import kolla_config
from kolla_zdu_lab import paths
from kolla_zdu_lab import progress
from kolla_zdu_lab import settings as settings_mod

LOG = logging.getLogger(__name__)
TRIXIE_ROOT = os.environ.get("ZDU_TRIXIE_ROOT", "/var/cache/kolla-zdu/trixie")
# What the chroot needs to run kolla-ansible: Python, ssh, CA certificates.
# The rest is what tools/ci/unit-kolla-ansible-23.sh runs its unit suites
# with, so either one builds a chroot the other can use.
TRIXIE_PACKAGES = ("python3", "python3-venv", "openssl", "ca-certificates",
                   "haproxy", "git", "openssh-client")
PLUGIN = "kolla-zdu-plugin"
# The files of the plugin's source that go into its wheel.
PLUGIN_SOURCES = ("kolla_zdu_plugin", "ansible", "etc", "setup.cfg",
                  "setup.py", "requirements.txt")
INSTALL_TIMEOUT = 1200


def release_kolla_ansible(release):
    """Return the kolla-ansible version that deploys ``release``."""
    return settings_mod.RELEASES[release]["kolla-ansible"]


def _series(version):
    return version.split(".")[0]


class HostKollaAnsible(object):
    """The kolla-ansible installed beside the harness, run on the host."""

    def __init__(self, lab_settings):
        self.settings = lab_settings

    @property
    def version(self):
        return importlib.metadata.version("kolla-ansible")

    def describe(self):
        return "kolla-ansible %s on the host" % self.version

    @property
    def inventory_dir(self):
        return self.settings.inventory_dir

    def playbook(self):
        return paths.profile_playbook(self.settings.profile)

    def executable(self):
        candidate = os.path.join(paths.venv_bin_dir(), "kolla-ansible")
        if os.access(candidate, os.X_OK):
            return candidate
        found = shutil.which("kolla-ansible")
        if not found:
            raise errors.LabError(
                reason="kolla-ansible is not installed; pip install "
                       "kolla-ansible in this Python environment")
        return found

    def argv(self, action, *extra):
        """Return the command line of ``kolla-ansible ACTION`` on the lab."""
        return [self.executable(), action, "-i", self.inventory_dir,
                "--configdir", self.settings.config_dir,
                "-p", self.playbook()] + list(extra)

    def environment(self, base=None):
        """Return the environment kolla-ansible runs with."""
        env = dict(os.environ if base is None else base)
        env.update(ANSIBLE_CONFIG=self.settings.ansible_cfg,
                   ANSIBLE_ROLES_PATH=inventory.roles_path(),
                   ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
        env["PATH"] = os.pathsep.join([paths.venv_bin_dir(),
                                       env.get("PATH", "")])
        return env

    @contextlib.contextmanager
    def session(self):
        """Make the deploy host ready for kolla-ansible runs in the block."""
        yield self


class ChrootKollaAnsible(HostKollaAnsible):
    """A release's kolla-ansible on a Debian trixie deploy host (chroot)."""

    def __init__(self, lab_settings, version, root=TRIXIE_ROOT):
        super().__init__(lab_settings)
        self._version = version
        self.root = root
        self.venv = "/opt/kolla-zdu-deploy-%s" % version

    @property
    def version(self):
        return self._version

    def describe(self):
        return ("kolla-ansible %s on the trixie deploy host %s"
                % (self.version, self.root))

    @property
    def kolla_dir(self):
        """kolla-ansible's ``ansible`` directory, as the chroot sees it."""
        return os.path.join(self.venv, "share", "kolla-ansible", "ansible")

    @property
    def inventory_dir(self):
        return self.settings.path("inventory-kolla-ansible-%s"
                                  % _series(self.version))

    @property
    def ansible_cfg(self):
        return os.path.join(self.settings.config_dir,
                            "ansible-kolla-ansible-%s.cfg"
                            % _series(self.version))

    def playbook(self):
        if self.settings.profile in settings_mod.KOLLA_SITE_PROFILES:
            return os.path.join(self.kolla_dir, "site.yml")
        return paths.lab_playbook()

    def executable(self):
        return os.path.join(self.venv, "bin", "kolla-ansible")

    def roles_path(self):
        return inventory.roles_path(self.kolla_dir)

    def argv(self, action, *extra):
        """Return the command line, run in the chroot with a clean env."""
        variables = ["%s=%s" % item for item in sorted(
            self._chroot_environment().items())]
        return (["chroot", self.root, "/usr/bin/env", "-i"] + variables +
                super().argv(action, *extra))

    def _chroot_environment(self):
        return {"HOME": "/root", "LANG": "C.UTF-8",
                "PATH": "%s/bin:/usr/sbin:/usr/bin:/sbin:/bin" % self.venv,
                "ANSIBLE_CONFIG": self.ansible_cfg,
                "ANSIBLE_ROLES_PATH": self.roles_path(),
                "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0"}

    def environment(self, base=None):
        # The chroot's command line sets its whole environment.
        return dict(os.environ if base is None else base)

    def _host_path(self, path):
        return os.path.join(self.root, path.lstrip("/"))

    def _mounts(self):
        """Return ``(source, target)`` of what the chroot mounts."""
        return [("proc", self._host_path("/proc")),
                ("/dev", self._host_path("/dev"))]

    def _copies(self):
        """Return the lab's directories the chroot gets a copy of.

        They are copied, not bind-mounted: a mount of the state directory
        inside the chroot keeps it busy for ``kolla-zdu-lab down`` as long
        as any process rooted there lives.
        """
        return [self.settings.config_dir, self.inventory_dir,
                os.path.dirname(self.settings.ssh_key),
                paths.lab_ansible_dir()]

    @contextlib.contextmanager
    def session(self):
        """Mount and copy what the chroot needs, install, write inventory.

        At the end every process rooted in the chroot (Ansible's SSH
        masters) is stopped and every mount undone, those a killed run
        left too, so nothing outside the chroot stays reachable through it.
        """
        mounted = [target for _source, target in self._mounts()]
        try:
            self._ensure_root()
            for source, target in self._mounts():
                os.makedirs(target, exist_ok=True)
                if not _is_mount(target):
                    argv = (["mount", "-t", "proc", "proc", target]
                            if source == "proc"
                            else ["mount", "--bind", source, target])
                    commands.run(argv, timeout=60)
            self._ensure_venv()
            inventory.write_inventory(self.settings, self.kolla_dir,
                                      self.inventory_dir)
            with open(self.ansible_cfg, "w") as cfg:
                cfg.write(inventory.render_ansible_cfg(self.settings,
                                                       self.kolla_dir))
            for source in self._copies():
                target = self._host_path(source)
                while _is_mount(target):
                    # An older lab bind-mounted it: never delete through it.
                    commands.run(["umount", "-l", target], timeout=60)
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(source, target, symlinks=True,
                                ignore=shutil.ignore_patterns("cp"))
            os.makedirs(self._host_path(self.settings.logs_dir),
                        exist_ok=True)
            yield self
        finally:
            _stop_processes_rooted_in(self.root)
            for target in reversed(mounted):
                while _is_mount(target):
                    commands.run(["umount", "-l", target], timeout=60)

    def _in_chroot(self, *argv, log_name="deploy-host"):
        environment = dict(self._chroot_environment())
        for key in [key for key in environment if key.startswith("ANSIBLE")]:
            del environment[key]
        log_path = os.path.join(self.settings.logs_dir, "%s.log" % log_name)
        commands.run_logged(
            ["chroot", self.root, "/usr/bin/env", "-i"] +
            ["%s=%s" % item for item in sorted(environment.items())] +
            list(argv), log_path, timeout=INSTALL_TIMEOUT,
            what="`%s` in the deploy host %s" % (" ".join(argv[:3]),
                                                 self.root))

    def _ensure_root(self):
        if not os.path.exists(self._host_path("/usr/bin/python3")):
            LOG.info("building the trixie deploy host %s with debootstrap "
                     "(about a minute)", self.root)
            partial = self.root + ".partial"
            commands.run(["rm", "-rf", partial], timeout=300)
            os.makedirs(os.path.dirname(self.root), exist_ok=True)
            with progress.Stopwatch() as watch:
                commands.run_logged(
                    ["debootstrap", "--variant=minbase",
                     "--include=%s" % ",".join(TRIXIE_PACKAGES), "trixie",
                     partial, self.settings.mirror],
                    os.path.join(self.settings.logs_dir,
                                 "deploy-host-debootstrap.log"),
                    timeout=INSTALL_TIMEOUT,
                    what="debootstrap trixie from %s" % self.settings.mirror)
            os.rename(partial, self.root)
            LOG.info("built %s in %.0f s", self.root, watch.seconds)
        # pip verifies PyPI with the host's CA bundle; names resolve as on
        # the host.
        for path in ("/etc/ssl/certs/ca-certificates.crt",
                     "/etc/resolv.conf"):
            if os.path.exists(path):
                os.makedirs(os.path.dirname(self._host_path(path)),
                            exist_ok=True)
                with open(path, "rb") as source, \
                        open(self._host_path(path), "wb") as target:
                    target.write(source.read())

    def _requirements(self):
        core = ansible_collections_for(self.version)
        return ["kolla-ansible==%s" % self.version, core]

    def _ensure_venv(self):
        wheel_dir = self._host_path("/var/cache/kolla-zdu-wheels")
        wanted = {"requirements": self._requirements(),
                  "plugin": plugin_digest()}
        marker = self._host_path(os.path.join(self.venv, "zdu-lab.json"))
        try:
            with open(marker) as stream:
                if json.load(stream) == wanted:
                    return
        except (OSError, ValueError):
            pass
        with progress.Stopwatch() as watch:
            if not os.path.exists(self._host_path(self.venv + "/bin/pip")):
                self._in_chroot("python3", "-m", "venv", self.venv)
            wheel = build_plugin_wheel(wheel_dir)
            LOG.info("installing %s and %s in the deploy host",
                     ", ".join(self._requirements()),
                     os.path.basename(wheel))
            self._in_chroot(
                "pip", "install", "-q", "--disable-pip-version-check",
                *self._requirements(),
                os.path.join("/var/cache/kolla-zdu-wheels",
                             os.path.basename(wheel)),
                log_name="deploy-host-pip")
            # The plugin changed but kept its version: install it again.
            self._in_chroot(
                "pip", "install", "-q", "--disable-pip-version-check",
                "--no-deps", "--force-reinstall",
                os.path.join("/var/cache/kolla-zdu-wheels",
                             os.path.basename(wheel)),
                log_name="deploy-host-pip")
        with open(marker, "w") as stream:
            json.dump(wanted, stream)
        LOG.info("deploy host ready in %.0f s", watch.seconds)


def ansible_collections_for(version):
    """Return the ``ansible`` package that goes with kolla-ansible ``version``.

    kolla-ansible 23 takes ansible-core 2.21, which ``ansible`` 14 carries.
    """
    return {"23": "ansible==14.*", "22": "ansible==12.*"}[_series(version)]


def _stop_processes_rooted_in(root):
    """Stop the processes whose root directory is ``root``."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.path.realpath(os.readlink("/proc/%s/root" % pid)) == \
                    os.path.realpath(root):
                os.kill(int(pid), signal.SIGTERM)
        except OSError:
            continue


def _is_mount(path, mounts="/proc/self/mounts"):
    """Return True if ``path`` is a mount point, bind mounts included.

    ``os.path.ismount`` compares devices, so it misses a bind mount of a
    directory of the same file system.
    """
    real = os.path.realpath(path)
    with open(mounts) as stream:
        return any(line.split()[1:2] == [real] for line in stream)


def plugin_source_dir():
    """Return the plugin's source checkout, from its editable install.

    :raises LabError: when the plugin was not installed from a checkout.
    """
    override = os.environ.get("ZDU_PLUGIN_SOURCE")
    if override:
        return override
    try:
        text = importlib.metadata.distribution(PLUGIN).read_text(
            "direct_url.json")
    except importlib.metadata.PackageNotFoundError:
        text = None
    url = json.loads(text).get("url", "") if text else ""
    if url.startswith("file://"):
        return url[len("file://"):]
    # Run from the checkout itself, whose egg-info hides the install.
    checkout = os.path.dirname(os.path.dirname(os.path.abspath(
        kolla_zdu_plugin.__file__)))
    if os.path.isfile(os.path.join(checkout, "setup.cfg")):
        return checkout
    raise errors.LabError(
        reason="%s is not installed from a checkout, so the deploy host "
               "has no source to build it from; pip install -e the "
               "checkout, or set ZDU_PLUGIN_SOURCE to it" % PLUGIN)


def plugin_digest(source=None):
    """Return a hash of the plugin's source files, to skip a reinstall."""
    source = source or plugin_source_dir()
    sha = hashlib.sha256()
    for name in PLUGIN_SOURCES:
        top = os.path.join(source, name)
        walked = ([(top, [], [""])] if os.path.isfile(top)
                  else sorted(os.walk(top)))
        for directory, _dirs, files in walked:
            for file_name in sorted(files):
                path = os.path.join(directory, file_name) if file_name \
                    else directory
                if "__pycache__" in path or path.endswith(".pyc"):
                    continue
                sha.update(os.path.relpath(path, source).encode())
                with open(path, "rb") as content:
                    sha.update(content.read())
    return sha.hexdigest()[:16]


def build_plugin_wheel(wheel_dir):
    """Build the plugin's wheel from its checkout into ``wheel_dir``."""
    source = plugin_source_dir()
    os.makedirs(wheel_dir, exist_ok=True)
    for name in os.listdir(wheel_dir):
        os.remove(os.path.join(wheel_dir, name))
    scratch = tempfile.mkdtemp(prefix="zdu-wheel-")
    LOG.info("building the %s wheel from %s", PLUGIN, source)
    try:
        subprocess.run([sys.executable, "-m", "pip", "wheel", "-q",
                        "--disable-pip-version-check", "--no-deps",
                        "-w", wheel_dir, source], check=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=600, cwd=scratch)
    except subprocess.CalledProcessError as error:
        raise errors.LabError(
            reason="building the %s wheel from %s failed: %s"
                   % (PLUGIN, source, error.stdout.decode(errors="replace")
                      [-2000:]))
    finally:
        os.rmdir(scratch)
    wheels = [name for name in os.listdir(wheel_dir)
              if name.endswith(".whl")]
    if len(wheels) != 1:
        raise errors.LabError(reason="expected one wheel in %s, found %s"
                              % (wheel_dir, wheels))
    return os.path.join(wheel_dir, wheels[0])


def for_release(lab_settings, release):
    """Return where the kolla-ansible of ``release`` runs for this lab.

    The host's kolla-ansible runs every release of a profile that keeps
    it (``settings.HOST_KOLLA_ANSIBLE_PROFILES``), and any release whose
    kolla-ansible is of the host's series.
    """
    host = HostKollaAnsible(lab_settings)
    if release not in settings_mod.RELEASES or \
            lab_settings.profile in settings_mod.HOST_KOLLA_ANSIBLE_PROFILES:
        return host
    version = release_kolla_ansible(release)
    if _series(version) == _series(host.version):
        return host
    return ChrootKollaAnsible(lab_settings, version)


def for_target(lab_settings):
    """Return where the kolla-ansible of the release globals.yml asks runs."""
    return for_release(lab_settings,
                       kolla_config.read_globals(lab_settings).get(
                           "openstack_tag"))
