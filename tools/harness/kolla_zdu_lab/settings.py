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
"""The lab's settings, its names and the layout of its state directory."""

import dataclasses
import ipaddress
import json
import os

from kolla_zdu_lab import errors

LABEL = "org.openstack.kolla-zdu-lab"
IMAGE_PREFIX = "kolla-zdu-lab"
NETWORK_NAME = "kolla-zdu-lab"
REGISTRY_NAME = "kolla-zdu-lab-registry"
REGISTRY_VOLUME = "kolla-zdu-lab-registry"
DEFAULT_SUBNET = "172.30.99.0/24"
DEFAULT_REGISTRY_PORT = 5000
DEMO_PORT = 9797
KEYSTONE_PORT = 5000
HEAT_API_PORT = 8004
HEAT_API_CFN_PORT = 8000
DEMO_VERSIONS = ("v1", "v2")
# The keystone releases of the keystone and heat profiles, oldest first.
KEYSTONE_VERSIONS = ("29.1.0", "30.0.0")
# The heat releases of the heat profile, oldest first: the newest 26.0.x
# (2026.1) and 27.0.x (2026.2) on PyPI.
HEAT_VERSIONS = ("26.0.2", "27.0.1")
PROFILES = ("demo", "keystone", "heat")
# The lab's OpenStack releases, oldest first: the openstack_tag every image
# of the release is pushed under, the version of each profile's service in
# it (the heat profile runs the keystone profile's keystone too), and the
# kolla-ansible that deploys it (see release_host.py).
RELEASES = {"2026.1": {"demo": "v1", "keystone": "29.1.0", "heat": "26.0.2",
                       "kolla-ansible": "22.2.0"},
            "2026.2": {"demo": "v2", "keystone": "30.0.0", "heat": "27.0.1",
                       "kolla-ansible": "23.0.0"}}
# The profiles whose every release runs with the host's kolla-ansible: the
# demo profile's service is the lab's own role, written against the
# host's kolla-ansible. The others take the real release path.
HOST_KOLLA_ANSIBLE_PROFILES = ("demo",)
# The profiles kolla-ansible deploys with its own site.yml and roles.
KOLLA_SITE_PROFILES = ("keystone", "heat")
MAX_NODES = 9


def default_state_dir():
    """Return the default state directory: system-wide for root."""
    if os.geteuid() == 0:
        return "/var/lib/kolla-zdu-lab"
    return os.path.join(os.path.expanduser("~"), ".kolla-zdu-lab")


@dataclasses.dataclass
class LabSettings(object):
    """What a lab is made of; saved in ``lab.json`` by ``up``."""

    state_dir: str
    nodes: int = 3
    subnet: str = DEFAULT_SUBNET
    registry_port: int = DEFAULT_REGISTRY_PORT
    mirror: str = "http://deb.debian.org/debian"
    profile: str = PROFILES[0]

    def validate(self):
        """Raise LabError if the settings cannot make a lab."""
        if self.profile not in PROFILES:
            raise errors.LabError(
                reason="--profile must be one of %s, not %s"
                       % (", ".join(PROFILES), self.profile))
        if not 1 <= self.nodes <= MAX_NODES:
            raise errors.LabError(
                reason="--nodes must be between 1 and %d, not %s"
                       % (MAX_NODES, self.nodes))
        network = self.network()
        if network.num_addresses < 256:
            raise errors.LabError(
                reason="--subnet %s is too small; give a /24 or larger"
                       % self.subnet)

    def network(self):
        """Return the lab subnet as an IPv4Network."""
        try:
            return ipaddress.IPv4Network(self.subnet)
        except ValueError as error:
            raise errors.LabError(
                reason="--subnet %s is not an IPv4 network: %s"
                       % (self.subnet, error))

    def address(self, offset):
        """Return the address ``offset`` into the lab subnet."""
        return str(self.network().network_address + offset)

    @property
    def gateway(self):
        return self.address(1)

    @property
    def registry_address(self):
        return self.address(2)

    @property
    def database_address(self):
        """The lab's MariaDB server, kolla-ansible's ``database_address``."""
        return self.address(3)

    @property
    def vip_address(self):
        return self.address(250)

    def node_names(self):
        """Return the node names, node1 first."""
        return ["node%d" % index for index in range(1, self.nodes + 1)]

    def node_address(self, name):
        """Return the lab address of node ``name``."""
        return self.address(10 + int(name[len("node"):]))

    def node_volume(self, name):
        """Return the docker volume that holds node ``name``'s images."""
        return "%s-%s-docker" % (IMAGE_PREFIX, name)

    @property
    def registry(self):
        """The registry as the nodes (and kolla-ansible) name it."""
        return "%s:5000" % self.registry_address

    @property
    def host_registry(self):
        """The registry as the host's docker pushes to it."""
        return "127.0.0.1:%d" % self.registry_port

    @property
    def url(self):
        """The demo service through the VIP."""
        return "http://%s:%d/" % (self.vip_address, DEMO_PORT)

    @property
    def keystone_url(self):
        """Keystone's identity API through the VIP (keystone profile)."""
        return "http://%s:%d/v3" % (self.vip_address, KEYSTONE_PORT)

    @property
    def heat_url(self):
        """Heat's orchestration API through the VIP (heat profile)."""
        return "http://%s:%d/" % (self.vip_address, HEAT_API_PORT)

    @property
    def heat_cfn_url(self):
        """Heat's CloudFormation-compatible API through the VIP."""
        return "http://%s:%d/" % (self.vip_address, HEAT_API_CFN_PORT)

    def service_urls(self):
        """Return ``[(service, URL through the VIP)]`` of the profile.

        The first is the service the profile upgrades.
        """
        if self.profile == "heat":
            return [("heat", self.heat_url),
                    ("heat-api-cfn", self.heat_cfn_url),
                    ("keystone", self.keystone_url)]
        if self.profile == "keystone":
            return [("keystone", self.keystone_url)]
        return [("zdu-demo", self.url)]

    @property
    def service_url(self):
        """The URL of the service the profile upgrades, through the VIP."""
        return self.service_urls()[0][1]

    def path(self, *parts):
        """Return a path inside the state directory."""
        return os.path.join(self.state_dir, *parts)

    @property
    def config_dir(self):
        return self.path("etc", "kolla")

    @property
    def inventory_dir(self):
        return self.path("inventory")

    @property
    def ansible_cfg(self):
        return os.path.join(self.config_dir, "ansible.cfg")

    @property
    def ssh_key(self):
        return self.path("ssh", "id_ed25519")

    @property
    def shared_dir(self):
        """The host directory every node mounts as the demo's schema dir."""
        return self.path("shared")

    @property
    def logs_dir(self):
        return self.path("logs")

    def save(self):
        """Write the settings to ``lab.json`` in the state directory."""
        os.makedirs(self.state_dir, exist_ok=True)
        document = dataclasses.asdict(self)
        del document["state_dir"]
        with open(self.path("lab.json"), "w") as settings_file:
            json.dump(document, settings_file, indent=2, sort_keys=True)


def load_settings(state_dir):
    """Return the settings ``up`` saved in ``state_dir``.

    :raises LabError: if no lab was brought up with that state directory.
    """
    path = os.path.join(state_dir, "lab.json")
    try:
        with open(path) as settings_file:
            document = json.load(settings_file)
    except FileNotFoundError:
        raise errors.LabError(
            reason="no lab state in %s; run `kolla-zdu-lab up` first, or "
                   "pass the --state-dir it used" % state_dir)
    return LabSettings(state_dir=state_dir, **document)
