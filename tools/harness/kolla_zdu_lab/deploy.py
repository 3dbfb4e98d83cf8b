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
import subprocess
import time

from kolla_zdu_lab import commands
from kolla_zdu_lab import inventory
from kolla_zdu_lab import progress
from kolla_zdu_lab import release_host

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


def run_kolla_ansible(lab_settings, action, timeout=DEPLOY_TIMEOUT):
    """Run ``kolla-ansible ACTION`` on the lab, showing its progress.

    It is the kolla-ansible of the release globals.yml asks for, on the
    host or on the release's deploy host (see ``release_host``).

    :returns: the seconds it took.
    """
    host = release_host.for_target(lab_settings)
    log_path = os.path.join(lab_settings.logs_dir, "kolla-ansible-%s-%s.log"
                            % (action, time.strftime("%Y%m%d-%H%M%S")))
    with host.session():
        argv = host.argv(action)
        LOG.info("running %s with %s", action, host.describe())
        LOG.info("kolla-ansible output: %s", log_path)
        with progress.Stopwatch() as watch:
            commands.run_logged(argv, log_path, on_line=_report_progress,
                                env=host.environment(), timeout=timeout,
                                what="kolla-ansible %s" % action)
    LOG.info("kolla-ansible %s finished in %.0f s", action, watch.seconds)
    return watch.seconds


def run_interactive(lab_settings, args):
    """Run ``kolla-ansible ARGS`` on the lab, its output on this terminal.

    :returns: kolla-ansible's exit code.
    """
    host = release_host.for_target(lab_settings)
    with host.session():
        LOG.info("running kolla-ansible %s with %s", " ".join(args),
                 host.describe())
        return subprocess.call(host.argv(*args), env=host.environment())


def _report_progress(line):
    if PROGRESS_LINE.match(line):
        LOG.info("  %s", line.rstrip(" *")[:110])
