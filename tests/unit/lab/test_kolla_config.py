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
"""The lab's globals.yml, the buffer hold's globals included."""

import os
from unittest import mock

import fixtures
import yaml

from kolla_zdu_lab import errors
from kolla_zdu_lab import kolla_config
from kolla_zdu_lab import paths
from kolla_zdu_lab import settings as settings_mod
from kolla_zdu_plugin.haproxy import hold_config
from tests.unit import base

OPERATOR_GLOBALS = """---
# mine
kolla_base_distro: "ubuntu"
haproxy_backend_http_extra:
- "option forwardfor"
  # still the list
- "http-request set-header X-Mine 1"
enable_zdu_demo: true
"""


class SetGlobalsTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.path = self.write_config('globals.yml', OPERATOR_GLOBALS)

    def read(self):
        with open(self.path) as source:
            return source.read()

    def test_list_replaces_block_value(self):
        kolla_config.set_globals(self.path, {
            'haproxy_backend_http_extra': ['a "quoted" line', 'b']})
        text = self.read()
        self.assertIn('haproxy_backend_http_extra:\n'
                      '  - "a \\"quoted\\" line"\n'
                      '  - "b"\n'
                      'enable_zdu_demo: true\n', text)
        self.assertEqual(
            {'kolla_base_distro': 'ubuntu', 'enable_zdu_demo': True,
             'haproxy_backend_http_extra': ['a "quoted" line', 'b']},
            yaml.safe_load(text))
        self.assertIn('# mine\n', text)

    def test_scalar_replaces_list_and_keys_are_appended(self):
        kolla_config.set_globals(self.path, {
            'haproxy_backend_http_extra': [], 'kolla_base_distro': 'debian',
            'haproxy_socket_level_admin': True})
        self.assertEqual(
            {'kolla_base_distro': 'debian', 'enable_zdu_demo': True,
             'haproxy_backend_http_extra': [],
             'haproxy_socket_level_admin': True},
            yaml.safe_load(self.read()))
        self.assertTrue(self.read().endswith(
            'haproxy_socket_level_admin: true\n'))


class WriteGlobalsTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.lab = settings_mod.LabSettings(state_dir=self.config_dir)
        self.builder = mock.Mock()
        self.builder.tag.return_value = 'abc123'

    def write(self):
        kolla_config.write_globals(self.lab, self.builder)
        return kolla_config.read_globals(self.lab)

    def test_hold_globals_with_buffer_defaults(self):
        values = self.write()
        self.assertIs(True, values['haproxy_socket_level_admin'])
        self.assertEqual(hold_config.backend_lines(20, 2000),
                         values['haproxy_backend_http_extra'])
        self.assertEqual('{{ openstack_tag }}', values['zdu_demo_tag'])
        self.assertEqual('2026.1', values['openstack_tag'])
        self.assertEqual('{{ openstack_tag }}', values['haproxy_tag'])

    def test_haproxy_template_closes_idle_connections_on_response(self):
        self.write()
        with open(os.path.join(self.lab.config_dir, 'config', 'haproxy',
                               'haproxy_main.cfg')) as stream:
            custom = stream.read().splitlines(True)
        index = custom.index('defaults\n')
        self.assertEqual('    option idle-close-on-response\n',
                         custom[index + 1])
        kolla = os.path.join(paths.kolla_ansible_dir(),
                             kolla_config.HAPROXY_TEMPLATE)
        with open(kolla) as stream:
            self.assertEqual(stream.read(), ''.join(
                custom[:index + 1] + custom[index + 2:]))

    def test_operator_lines_kept_and_rewrite_is_stable(self):
        os.makedirs(self.lab.config_dir)
        with open(kolla_config.globals_path(self.lab), 'w') as out:
            out.write(OPERATOR_GLOBALS)
        first = self.write()
        self.assertEqual(['option forwardfor',
                          'http-request set-header X-Mine 1']
                         + hold_config.backend_lines(20, 2000),
                         first['haproxy_backend_http_extra'])
        self.assertNotIn('zdu_demo_tag', first)
        with open(kolla_config.globals_path(self.lab)) as source:
            text = source.read()
        self.assertEqual(first, self.write())
        with open(kolla_config.globals_path(self.lab)) as source:
            self.assertEqual(text, source.read())

    def test_backend_lines_must_be_a_list(self):
        os.makedirs(self.lab.config_dir)
        with open(kolla_config.globals_path(self.lab), 'w') as out:
            out.write('haproxy_backend_http_extra: "option forwardfor"\n')
        error = self.assertRaises(errors.LabError, self.write)
        self.assertIn('haproxy_backend_http_extra', str(error))
        self.assertIn(kolla_config.globals_path(self.lab), str(error))


class StartTestCase(base.TestCase):

    def test_set_start_resets_target_options_and_schema(self):
        lab_settings = mock.Mock(shared_dir=self.useFixture(
            fixtures.TempDir()).path)
        marker = os.path.join(lab_settings.shared_dir, 'schema.json')
        with open(marker, 'w') as stream:
            stream.write('{"schema": 2}')
        with mock.patch.object(kolla_config, 'set_target') as target, \
                mock.patch.object(kolla_config, 'set_globals') as globs, \
                mock.patch.object(kolla_config, 'globals_path',
                                  return_value='g.yml'):
            kolla_config.set_start(lab_settings)
        target.assert_called_once_with(lab_settings, 'v1')
        globs.assert_called_once_with(
            'g.yml', {'zdu_demo_exclusive_schema': False,
                      'zdu_demo_startup_delay': 0})
        self.assertFalse(os.path.exists(marker))
        self.assertIsNone(kolla_config.reset_schema(lab_settings))


class KeystoneProfileTestCase(base.TestCase):

    def setUp(self):
        super(KeystoneProfileTestCase, self).setUp()
        self.lab = settings_mod.LabSettings(state_dir=self.config_dir,
                                            profile='keystone')
        self.builder = mock.Mock()
        self.builder.tag.return_value = 'abc123'

    def written(self):
        kolla_config.write_globals(self.lab, self.builder)
        with open(kolla_config.globals_path(self.lab)) as stream:
            return yaml.safe_load(stream)

    def test_keystone_globals_without_hold(self):
        values = self.written()
        self.assertTrue(values['enable_keystone'])
        self.assertTrue(values['enable_memcached'])
        self.assertFalse(values['enable_zdu_demo'])
        self.assertEqual(self.lab.database_address,
                         values['database_address'])
        self.assertEqual('{{ openstack_tag }}', values['keystone_tag'])
        self.assertEqual('{{ openstack_tag }}', values['memcached_tag'])
        self.assertEqual('29.1.0', kolla_config.target_version(self.lab))
        self.assertTrue(values['haproxy_socket_level_admin'])
        self.assertNotIn('haproxy_backend_http_extra', values)
        with open(os.path.join(self.lab.config_dir, 'globals.d',
                               'zdu-lab.yml')) as stream:
            overrides = yaml.safe_load(stream)
        self.assertTrue(overrides['use_preconfigured_databases'])
        self.assertFalse(overrides['enable_rabbitmq'])
        self.assertNotIn('enable_heat', values)
        with open(os.path.join(self.lab.config_dir, 'config',
                               'keystone.conf')) as stream:
            self.assertIn('password_hash_rounds = 4', stream.read())
        self.assertFalse(os.path.exists(os.path.join(
            self.lab.config_dir, 'config', 'heat.conf')))

    def test_target_is_keystone_tag(self):
        self.written()
        kolla_config.set_target(self.lab, '30.0.0')
        self.assertEqual('30.0.0', kolla_config.read_target(self.lab))
        self.assertEqual('30.0.0', self.written()['keystone_tag'])

    def test_unknown_release_names_the_profile(self):
        self.written()
        error = self.assertRaises(errors.LabError,
                                  kolla_config.set_target, self.lab, 'v2')
        self.assertIn('keystone profile has no release or version v2',
                      str(error))
        self.assertIn('2026.1, 2026.2', str(error))
        self.assertIn('29.1.0, 30.0.0', str(error))

    def test_a_release_moves_every_image(self):
        self.written()
        kolla_config.set_target(self.lab, '2026.2')
        values = self.written()
        self.assertEqual('2026.2', values['openstack_tag'])
        self.assertEqual('{{ openstack_tag }}', values['keystone_tag'])
        self.assertEqual('2026.2', kolla_config.read_target(self.lab))
        self.assertEqual('30.0.0', kolla_config.target_version(self.lab))

    def test_unknown_profile_is_refused(self):
        lab = settings_mod.LabSettings(state_dir=self.config_dir,
                                       profile='nova')
        error = self.assertRaises(errors.LabError, lab.validate)
        self.assertIn('--profile must be one of demo, keystone, heat',
                      str(error))


class HeatProfileTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.lab = settings_mod.LabSettings(state_dir=self.config_dir,
                                            profile='heat')
        kolla_config.write_globals(self.lab, mock.Mock())

    def read(self, *parts):
        with open(os.path.join(self.lab.config_dir, *parts)) as stream:
            return stream.read()

    def test_heat_globals_on_keystones(self):
        values = kolla_config.read_globals(self.lab)
        for key in ('enable_keystone', 'enable_memcached', 'enable_heat',
                    'enable_rabbitmq', 'haproxy_socket_level_admin'):
            self.assertIs(True, values[key], key)
        self.assertFalse(values['enable_zdu_demo'])
        self.assertEqual('{{ openstack_tag }}', values['heat_tag'])
        self.assertEqual('{{ openstack_tag }}', values['rabbitmq_tag'])
        self.assertNotIn('keystone_tag', values)
        self.assertEqual('2026.1', values['openstack_tag'])
        self.assertEqual('26.0.2', kolla_config.target_version(self.lab))

    def test_overrides_keep_rabbitmq_and_the_lab_database(self):
        overrides = yaml.safe_load(self.read('globals.d', 'zdu-lab.yml'))
        self.assertTrue(overrides['use_preconfigured_databases'])
        self.assertNotIn('enable_rabbitmq', overrides)
        self.assertIn('4.0.5', self.read('globals.d', 'zdu-lab.yml'))

    def test_heat_and_keystone_custom_config(self):
        heat = self.read('config', 'heat.conf')
        self.assertIn('[keystone_authtoken]\n', heat)
        self.assertIn('memcache_pool_dead_retry = 10\n', heat)
        self.assertIn('[cache]\n', heat)
        self.assertIn('password_hash_rounds = 4',
                      self.read('config', 'keystone.conf'))
        self.assertIn('settle_time = 15\n', self.read('zdu.conf'))

    def test_a_heat_version_moves_heat_alone(self):
        kolla_config.set_target(self.lab, '27.0.1')
        values = kolla_config.read_globals(self.lab)
        self.assertEqual('27.0.1', values['heat_tag'])
        self.assertEqual('2026.1', values['openstack_tag'])
        self.assertEqual('27.0.1', kolla_config.target_version(self.lab))

    def test_a_release_moves_every_image(self):
        kolla_config.set_target(self.lab, '2026.2')
        self.assertEqual('27.0.1', kolla_config.target_version(self.lab))
        self.assertEqual('{{ openstack_tag }}',
                         kolla_config.read_globals(self.lab)['heat_tag'])

    def test_keystone_versions_are_not_heat_targets(self):
        error = self.assertRaises(errors.LabError, kolla_config.set_target,
                                  self.lab, '30.0.0')
        self.assertIn('heat profile has no release or version 30.0.0',
                      str(error))
        self.assertIn('26.0.2, 27.0.1', str(error))
