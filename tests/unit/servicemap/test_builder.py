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
"""The service map against the installed kolla-ansible's real roles."""

import os
import shutil

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.servicemap import builder
from kolla_zdu_plugin.servicemap import database_steps
from kolla_zdu_plugin.servicemap import deployment
from kolla_zdu_plugin.servicemap import kolla_tree
from tests.unit import base

CONTROL = ('control01', 'control02', 'control03')


class MultinodeServiceMapTestCase(base.TestCase):

    def build(self, inventory=base.MULTINODE, extra_vars=()):
        target = deployment.Deployment([inventory], self.config_dir,
                                       extra_vars)
        return builder.ServiceMapBuilder(target).build()

    def test_usual_control_plane_services(self):
        services = self.build().by_name()
        for name in (base.KEYSTONE, 'glance-api', 'nova-api', 'nova-metadata',
                     'placement-api', 'neutron-server', 'cinder-api',
                     'heat-api', 'heat-api-cfn', 'horizon'):
            self.assertIn(name, services)

    def test_keystone(self):
        keystone = self.build().by_name()[base.KEYSTONE]
        self.assertEqual('keystone', keystone.project)
        self.assertEqual(base.KEYSTONE_CONTAINER, keystone.container_name)
        self.assertEqual(CONTROL, keystone.hosts)
        self.assertEqual(('network01', 'network02'), keystone.loadbalancers)
        self.assertEqual(
            'quay.io/openstack.kolla/%s:%s-rocky-10'
            % (base.KEYSTONE, base.OPENSTACK_RELEASE),
            keystone.image)
        backends = {b.backend_name: b for b in keystone.backends}
        # The external frontend shares the internal VIP here, so kolla
        # renders no keystone_external backend.
        self.assertEqual(['keystone_internal_back'], sorted(backends))
        internal = backends['keystone_internal_back']
        self.assertEqual('keystone_internal_front', internal.frontend_name)
        self.assertEqual(5000, internal.listen_port)
        self.assertEqual('check inter 2000 rise 2 fall 5',
                         internal.health_check)
        self.assertEqual('option httpchk GET /healthcheck',
                         internal.http_check)
        self.assertEqual(list(CONTROL), [s.name for s in internal.servers])
        self.assertEqual(['inventory_hostname'] * 3,
                         [s.address_source for s in internal.servers])

    def test_keystone_database_steps_follow_handlers(self):
        steps = self.build().by_name()[base.KEYSTONE].database_steps
        self.assertEqual(
            [(database_steps.EXPAND_MIGRATE, 'control01'),
             (database_steps.CONTRACT, 'control03')],
            [(step.phase, step.host) for step in steps])

    def test_external_backend_with_external_vip(self):
        services = self.build(extra_vars=[
            'kolla_external_vip_address=10.20.0.254']).by_name()
        names = [b.backend_name for b in services[base.KEYSTONE].backends]
        self.assertEqual(['keystone_internal_back', 'keystone_external_back'],
                         names)

    def test_disabled_service_is_absent(self):
        services = self.build(extra_vars=['enable_horizon=no']).by_name()
        self.assertNotIn('horizon', services)
        self.assertIn(base.KEYSTONE, services)

    def test_project_flag_disables_services_marked_enabled(self):
        # neutron-server's entry says "enabled" whatever enable_neutron is;
        # kolla's site.yml skips the whole role when the flag is off.
        services = self.build(extra_vars=['enable_neutron=no']).by_name()
        self.assertNotIn('neutron-server', services)
        self.assertNotIn('etcd', services)
        self.assertIn(base.KEYSTONE, services)

    def test_custom_member_list_glance_file_backend(self):
        glance = self.build().by_name()['glance-api']
        backend = glance.backends[0]
        self.assertTrue(backend.custom_member_list)
        self.assertEqual(['control01'], [s.name for s in backend.servers])
        self.assertEqual(('control01',), glance.hosts)

    def test_listen_port_differs_from_frontend_port(self):
        horizon = self.build().by_name()['horizon']
        backend = horizon.backends[0]
        self.assertNotEqual(backend.port, backend.listen_port)
        self.assertEqual({backend.listen_port},
                         {s.port for s in backend.servers})

    def test_api_address_from_inventory(self):
        inventory = os.path.join(self.config_dir, 'inventory')
        with open(inventory, 'w') as stream:
            stream.write('[control]\nctl1 api_interface_address=192.0.2.11\n'
                         'ctl2 ansible_host=192.0.2.12\n'
                         '[loadbalancer:children]\ncontrol\n'
                         '[keystone:children]\ncontrol\n')
        keystone = self.build(inventory).by_name()[base.KEYSTONE]
        servers = keystone.backends[0].servers
        self.assertEqual([('192.0.2.11', 'api_interface_address'),
                          ('192.0.2.12', 'ansible_host')],
                         [(s.address, s.address_source) for s in servers])
        self.assertEqual(('ctl1', 'ctl2'), keystone.loadbalancers)

    def test_every_role_with_haproxy_is_examined(self):
        tree = kolla_tree.RoleTree([os.path.join(base.KOLLA_DIR, 'roles')])
        roles = {role for role, _name, services in
                 kolla_tree.services_dicts(tree.defaults())
                 if any('haproxy' in s for s in services.values())}
        for role in ('keystone', 'glance', 'nova', 'placement', 'neutron',
                     'cinder', 'heat', 'horizon', 'mariadb', 'rabbitmq'):
            self.assertIn(role, roles)

    def test_missing_inventory(self):
        exc = self.assertRaises(exceptions.InventoryError,
                                deployment.Deployment,
                                ['/nonexistent/inventory'], self.config_dir)
        self.assertIn('/nonexistent/inventory', str(exc))

    def test_missing_globals(self):
        os.unlink(os.path.join(self.config_dir, 'globals.yml'))
        exc = self.assertRaises(exceptions.InventoryError,
                                deployment.Deployment,
                                [base.MULTINODE], self.config_dir)
        self.assertIn('globals.yml', str(exc))


class PlaybookRolesTestCase(base.TestCase):
    """A role beside a custom playbook, with the playbook's group_vars."""

    def setUp(self):
        super().setUp()
        self.playbook_dir = os.path.join(self.config_dir, 'playbook')
        defaults = os.path.join(self.playbook_dir, 'roles', 'demo',
                                'defaults')
        os.makedirs(defaults)
        os.makedirs(os.path.join(self.playbook_dir, 'group_vars'))
        with open(os.path.join(defaults, 'main.yml'), 'w') as stream:
            stream.write(
                'demo_services:\n'
                '  demo:\n'
                '    container_name: demo\n'
                '    group: control\n'
                '    enabled: true\n'
                '    image: "{{ demo_image_full }}"\n'
                '    haproxy:\n'
                '      demo:\n'
                '        enabled: "{{ enable_demo }}"\n'
                '        mode: http\n'
                '        port: "{{ demo_port }}"\n'
                '        listen_port: "{{ demo_listen_port }}"\n'
                'demo_image_full: "registry/demo:{{ demo_tag }}"\n'
                'demo_tag: v1\n')
        with open(os.path.join(self.playbook_dir, 'group_vars', 'all.yml'),
                  'w') as stream:
            stream.write('enable_demo: true\ndemo_port: 9797\n'
                         'demo_listen_port: "{{ demo_port }}"\n')

    def build(self, extra_vars=('demo_tag=v2',), **kwargs):
        # As the lab does: kolla's group_vars/all reach the custom
        # playbook's plays through the inventory's group_vars.
        inventory = os.path.join(self.config_dir, 'inventory')
        if not os.path.isdir(inventory):
            os.makedirs(os.path.join(inventory, 'group_vars'))
            shutil.copy(base.MULTINODE, os.path.join(inventory, 'hosts'))
            os.symlink(os.path.join(base.KOLLA_DIR, 'group_vars', 'all'),
                       os.path.join(inventory, 'group_vars', 'all'))
        target = deployment.Deployment([inventory], self.config_dir,
                                       extra_vars)
        return builder.ServiceMapBuilder(
            target,
            extra_role_dirs=[os.path.join(self.playbook_dir, 'roles')],
            **kwargs).build()

    def test_playbook_group_vars_are_used(self):
        demo = self.build(playbook_dirs=[self.playbook_dir]).by_name()['demo']
        self.assertEqual(9797, demo.backends[0].listen_port)
        self.assertEqual('registry/demo:v2', demo.image)
        self.assertEqual('demo_image_full', demo.image_var)
        self.assertEqual(('demo_listen_port',), demo.port_vars)
        self.assertEqual('demo_services', demo.services_var)

    def test_unresolvable_port_is_one_clear_error(self):
        exc = self.assertRaises(exceptions.InventoryError, self.build,
                                ['enable_demo=yes'])
        self.assertIn('demo_listen_port', str(exc))
