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
"""Database dumps of the OpenStack profiles, and going back to a release.

OpenStack's migrations only go forward, so ``up`` dumps the profile's
databases once per release it deploys, and ``restore`` loads that dump
before it deploys the release again, as an operator would.
"""

import logging
import os

from kolla_zdu_lab import database
from kolla_zdu_lab import deploy
from kolla_zdu_lab import errors
from kolla_zdu_lab import keystone_lab
from kolla_zdu_lab import kolla_config
from kolla_zdu_lab import profile_services
from kolla_zdu_lab import release_host

LOG = logging.getLogger(__name__)
# The databases of each profile, dumped and restored together.
PROFILE_DATABASES = {"keystone": ("keystone",), "heat": ("keystone", "heat")}


def snapshot_path(lab_settings, version):
    """Return the path of the dump taken at ``version`` of the service.

    :param version: a version of the profile's service, such as 29.1.0.
    """
    return lab_settings.path("%s-db-%s.sql" % (lab_settings.profile,
                                               version))


def save_snapshot(lab_settings, version):
    """Dump the profile's databases as they are at ``version``, once.

    :returns: the dump's path.
    """
    path = snapshot_path(lab_settings, version)
    if os.path.exists(path):
        return path
    text = database.dump(PROFILE_DATABASES[lab_settings.profile])
    with open(path + ".tmp", "w") as output:
        output.write(text)
    os.replace(path + ".tmp", path)
    LOG.info("%s's databases at %s saved to %s", lab_settings.profile,
             version, path)
    return path


def restore_release(lab_settings, version, timeout):
    """Go back to ``version`` as an operator would.

    The lab loads the dump taken at that release, then runs
    ``kolla-ansible deploy`` with it.

    :param version: a version of the profile's service, or a release:
        every image then goes back to that release.
    """
    path = snapshot_path(lab_settings,
                         kolla_config.service_version(lab_settings, version))
    if not os.path.exists(path):
        raise errors.LabError(
            reason="no database dump of %s %s in %s; `kolla-zdu-lab up "
                   "--profile %s` takes one when it deploys %s"
                   % (lab_settings.profile, version, lab_settings.state_dir,
                      lab_settings.profile, version))
    with open(path, "rb") as dump:
        LOG.info("restoring %s's databases from %s", lab_settings.profile,
                 path)
        database.load(dump.read())
    kolla_config.set_target(lab_settings, version)
    host = release_host.for_target(lab_settings)
    if int(host.version.split(".")[0]) < keystone_lab.API_RENAMED_IN:
        keystone_lab.remove_renamed_api(lab_settings)
    deploy.run_kolla_ansible(lab_settings, "deploy")
    profile_services.for_profile(lab_settings.profile).wait_ready(
        lab_settings, timeout)
