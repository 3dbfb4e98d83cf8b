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
"""What the lab does around kolla-ansible for each OpenStack profile.

A profile's module (``keystone_lab``, ``heat_lab``) provides:

* ``ensure_database(lab_settings, builder)``: the lab's MariaDB with the
  profile's databases and users, before kolla-ansible runs;
* ``wait_ready(lab_settings, timeout)``: until its APIs answer through
  the VIP;
* ``ensure_probe_account(lab_settings)``: the probe's user, in
  clouds.yaml;
* ``node_serves(name)`` and ``vip_serves(lab_settings)``: for
  ``kolla-zdu-lab status``.
"""

from kolla_zdu_lab import heat_lab
from kolla_zdu_lab import keystone_lab

SERVICES = {"keystone": keystone_lab, "heat": heat_lab}


def for_profile(profile):
    """Return the module of ``profile``, or None (the demo profile)."""
    return SERVICES.get(profile)
