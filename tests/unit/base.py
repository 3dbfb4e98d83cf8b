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
"""Shared helpers of the unit tests."""

import importlib.metadata
import os

import fixtures
from oslo_config import cfg
from oslotest import base

from kolla_zdu_plugin import conf as zdu_conf
from kolla_zdu_plugin.servicemap import kolla_tree
from kolla_zdu_plugin.servicemap import model

KOLLA_DIR = kolla_tree.kolla_ansible_dir()
MULTINODE = os.path.join(KOLLA_DIR, 'inventory', 'multinode')
KOLLA_ANSIBLE_MAJOR = int(
    importlib.metadata.version('kolla-ansible').split('.')[0])
# kolla-ansible 23 runs keystone's API as the service keystone-api, in the
# container keystone_api; 22 as keystone, in the container keystone. The
# image and its variable follow the service's name.
KEYSTONE = 'keystone-api' if KOLLA_ANSIBLE_MAJOR >= 23 else 'keystone'
KEYSTONE_CONTAINER = KEYSTONE.replace('-', '_')
# The release kolla-ansible's defaults install.
OPENSTACK_RELEASE = '2026.2' if KOLLA_ANSIBLE_MAJOR >= 23 else '2026.1'

CONTROL_PLANE_GLOBALS = """
kolla_base_distro: "rocky"
kolla_internal_vip_address: "10.10.10.254"
network_interface: "eth0"
neutron_external_interface: "eth1"
enable_cinder: "yes"
enable_heat: "yes"
enable_horizon: "yes"
"""


class TestCase(base.BaseTestCase):
    """A test case with a temporary kolla config dir."""

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.EnvironmentVariable(
            'ANSIBLE_TRANSFORM_INVALID_GROUP_CHARS', 'ignore'))
        self.config_dir = self.useFixture(fixtures.TempDir()).path
        self.write_config('globals.yml', CONTROL_PLANE_GLOBALS)

    def write_config(self, name, text):
        """Write a file into the temporary config dir; return its path."""
        path = os.path.join(self.config_dir, name)
        with open(path, 'w') as stream:
            stream.write(text)
        return path

    def make_conf(self, **overrides):
        """Return a ``ConfigOpts`` with defaults and group overrides.

        :param overrides: ``{group: {option: value}}``.
        """
        conf = cfg.ConfigOpts()
        zdu_conf.register_opts(conf)
        conf([], default_config_files=[], default_config_dirs=[])
        for group, values in overrides.items():
            for name, value in values.items():
                conf.set_override(name, value, group=group)
        return conf


def make_service(name='api', hosts=('ctl1', 'ctl2', 'ctl3'), port=8080,
                 database_steps=(), custom=False, active_passive=False,
                 loadbalancers=('lb1', 'lb2')):
    """Return a :class:`Service` with one backend and a server per host."""
    servers = tuple(
        model.Server(host=host, name=host, address='10.0.0.%d' % (i + 1),
                     port=port, backup=active_passive and i > 0)
        for i, host in enumerate(hosts))
    backend = model.Backend(
        name=name.replace('-', '_'), mode='http', external=False, port=port,
        listen_port=port, health_check='check inter 2000 rise 2 fall 5',
        http_check='option httpchk GET /healthcheck', servers=servers,
        custom_member_list=custom, active_passive=active_passive)
    return model.Service(
        project=name.split('-')[0], name=name,
        container_name=name.replace('-', '_'), group=name, hosts=hosts,
        image='registry/%s:2' % name, backends=(backend,),
        loadbalancers=loadbalancers, database_steps=database_steps,
        services_var='%s_services' % name.split('-')[0])
