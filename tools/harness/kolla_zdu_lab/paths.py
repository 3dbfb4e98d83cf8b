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
"""Where the lab finds its own files and kolla-ansible's."""

import os
import sys

from kolla_ansible import utils as kolla_ansible_utils

from kolla_zdu_lab import errors
from kolla_zdu_lab import settings as settings_mod

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
RECIPES_DIR = os.path.join(PACKAGE_DIR, "recipes")
DEMO_SERVICE_FILE = os.path.join(PACKAGE_DIR, "demo_service.py")


def _playbook_dir(path, fix):
    """Return ``path`` if it holds a site.yml; else say how to ``fix`` it."""
    if not os.path.isfile(os.path.join(path, "site.yml")):
        raise errors.LabError(reason="there is no site.yml in %s; %s"
                              % (path, fix))
    return path


def lab_ansible_dir():
    """Return the directory of the lab's playbook and roles."""
    return _playbook_dir(os.path.join(PACKAGE_DIR, "ansible"),
                         "reinstall the harness with pip install -e "
                         "tools/harness")


def lab_playbook():
    """Return the path of the lab's playbook."""
    return os.path.join(lab_ansible_dir(), "site.yml")


def profile_playbook(profile):
    """Return the playbook kolla-ansible runs for a lab ``profile``.

    The demo profile's service is the lab's own role, in the lab's
    playbook; the OpenStack profiles run kolla-ansible's own site.yml.
    """
    if profile in settings_mod.KOLLA_SITE_PROFILES:
        return os.path.join(kolla_ansible_dir(), "site.yml")
    return lab_playbook()


def kolla_ansible_dir():
    """Return kolla-ansible's ``ansible`` directory (playbooks, roles)."""
    return _playbook_dir(kolla_ansible_utils.get_data_files_path("ansible"),
                         "install kolla-ansible in this Python environment")


def kolla_ansible_share_dir():
    """Return kolla-ansible's data directory (etc_examples, ansible)."""
    return os.path.dirname(kolla_ansible_dir())


def venv_bin_dir():
    """Return the directory of this Python's console scripts."""
    return os.path.dirname(os.path.abspath(sys.executable))
