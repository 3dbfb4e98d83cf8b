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
"""The Ansible collections kolla-ansible's roles use.

``kolla-ansible install-deps`` installs them from Ansible Galaxy, which the
lab machine cannot reach. The ``ansible`` package on PyPI carries the same
collections (ansible.posix, ansible.utils, community.general, ...), so the
lab installs the release that matches the installed ansible-core. The one
collection it lacks, openstack.kolla, serves only ``bootstrap-servers``,
which the lab does not run: its node image is already bootstrapped.
"""

import importlib.metadata
import importlib.util
import logging
import sys

from kolla_zdu_lab import commands
from kolla_zdu_lab import errors
from kolla_zdu_lab import progress

LOG = logging.getLogger(__name__)
# The collections the loadbalancer role and kolla's group_vars use.
REQUIRED_COLLECTIONS = ("ansible.posix", "ansible.utils", "community.general")


def collection_installed(name):
    """Return True if this Python can import collection ``name``."""
    try:
        return importlib.util.find_spec(
            "ansible_collections.%s" % name) is not None
    except ModuleNotFoundError:
        return False


def missing_collections():
    """Return the required collections this Python cannot import."""
    return [name for name in REQUIRED_COLLECTIONS
            if not collection_installed(name)]


def ansible_requirement():
    """Return the pip requirement of the matching ``ansible`` package.

    ansible N ships with ansible-core 2.(N-7), so core 2.19 takes ansible 12.
    """
    core = importlib.metadata.version("ansible-core")
    major, minor = (int(part) for part in core.split(".")[:2])
    if major != 2:
        raise errors.LabError(
            reason="ansible-core %s is not a 2.x release; install the "
                   "collections %s by hand"
                   % (core, ", ".join(REQUIRED_COLLECTIONS)))
    return "ansible==%d.*" % (minor - 7)


def ensure_collections():
    """Install the ``ansible`` package if a required collection is missing."""
    missing = missing_collections()
    if not missing:
        return
    requirement = ansible_requirement()
    LOG.info("installing %s from PyPI for the collections %s (about 40 s)",
             requirement, ", ".join(missing))
    with progress.Stopwatch() as watch:
        commands.run([sys.executable, "-m", "pip", "install",
                      "--disable-pip-version-check", requirement],
                     timeout=900)
    importlib.invalidate_caches()
    still_missing = missing_collections()
    if still_missing:
        raise errors.LabError(
            reason="%s did not provide %s; install them with ansible-galaxy"
                   % (requirement, ", ".join(still_missing)))
    LOG.info("installed %s in %.0f s", requirement, watch.seconds)
