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
"""Running the real kolla-ansible CLI on the lab."""

import logging
import os
import re
import shutil
import time

from kolla_zdu_lab import commands
from kolla_zdu_lab import errors
from kolla_zdu_lab import inventory
from kolla_zdu_lab import paths
from kolla_zdu_lab import progress

LOG = logging.getLogger(__name__)
DEPLOY_TIMEOUT = 1800
PROGRESS_LINE = re.compile(r"^(PLAY \[|TASK \[|RUNNING HANDLER \[|PLAY RECAP)")


def lab_environment(lab_settings):
    """Return the environment variables a kolla-ansible run on the lab needs.

    ``ANSIBLE_CONFIG`` points at the lab's ansible.cfg (kolla's roles,
    modules and filters, SSH options); ``ANSIBLE_ROLES_PATH`` repeats the
    roles path so that a roles path set elsewhere cannot hide kolla's.
    """
    return {"ANSIBLE_CONFIG": lab_settings.ansible_cfg,
            "ANSIBLE_ROLES_PATH": inventory.roles_path()}


def kolla_ansible_executable():
    """Return the kolla-ansible command of this Python environment."""
    candidate = os.path.join(paths.venv_bin_dir(), "kolla-ansible")
    if os.access(candidate, os.X_OK):
        return candidate
    found = shutil.which("kolla-ansible")
    if not found:
        raise errors.LabError(
            reason="kolla-ansible is not installed; pip install "
                   "kolla-ansible in this Python environment")
    return found


def kolla_ansible_argv(lab_settings, action):
    """Return the kolla-ansible command line for ``action`` on the lab."""
    return [kolla_ansible_executable(), action,
            "-i", lab_settings.inventory_dir,
            "--configdir", lab_settings.config_dir,
            "-p", paths.profile_playbook(lab_settings.profile)]


def run_kolla_ansible(lab_settings, action, timeout=DEPLOY_TIMEOUT):
    """Run ``kolla-ansible ACTION`` on the lab, showing its progress.

    :returns: the seconds it took.
    """
    argv = kolla_ansible_argv(lab_settings, action)
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               **lab_environment(lab_settings))
    env["PATH"] = paths.venv_bin_dir() + os.pathsep + env.get("PATH", "")
    log_path = os.path.join(lab_settings.logs_dir, "kolla-ansible-%s-%s.log"
                            % (action, time.strftime("%Y%m%d-%H%M%S")))
    LOG.info("running %s", " ".join(argv))
    LOG.info("kolla-ansible output: %s", log_path)
    with progress.Stopwatch() as watch:
        commands.run_logged(argv, log_path, on_line=_report_progress,
                            env=env, timeout=timeout,
                            what="kolla-ansible %s" % action)
    LOG.info("kolla-ansible %s finished in %.0f s", action, watch.seconds)
    return watch.seconds


def _report_progress(line):
    if PROGRESS_LINE.match(line):
        LOG.info("  %s", line.rstrip(" *")[:110])
