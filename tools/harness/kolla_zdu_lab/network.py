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
"""The lab's docker network: one bridge for the nodes, the registry and
the VIP."""

import logging

from kolla_zdu_lab import dockercli
from kolla_zdu_lab import errors
from kolla_zdu_lab import settings as settings_mod

LOG = logging.getLogger(__name__)


def ensure_network(lab_settings):
    """Create the lab network unless it exists with the lab's subnet."""
    name = settings_mod.NETWORK_NAME
    info = dockercli.inspect("network", name)
    if info is None:
        LOG.info("creating network %s (%s)", name, lab_settings.subnet)
        dockercli.docker("network", "create", "--driver", "bridge",
                         "--subnet", lab_settings.subnet,
                         "--gateway", lab_settings.gateway,
                         "--label", "%s=%s" % (settings_mod.LABEL,
                                               lab_settings.state_dir),
                         name)
        return
    subnets = [config.get("Subnet") for config in
               (info.get("IPAM") or {}).get("Config") or []]
    if lab_settings.subnet not in subnets:
        raise errors.LabError(
            reason="docker network %s exists with subnet %s, not %s; run "
                   "`kolla-zdu-lab down` or `docker network rm %s`"
                   % (name, ", ".join(map(str, subnets)),
                      lab_settings.subnet, name))


def remove_networks():
    """Remove every network the lab made."""
    for name in dockercli.labelled("network", settings_mod.LABEL):
        LOG.info("removing network %s", name)
        dockercli.docker("network", "rm", name)
