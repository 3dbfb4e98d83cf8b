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
"""The lab as the bench prepares it."""

import json
import os
from unittest import mock

from kolla_zdu_bench.upgrade import lab as upgrade_lab
from kolla_zdu_bench.upgrade import scenarios as scenarios
from kolla_zdu_lab import errors
from tests.unit import base


class EnsureLabTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.state_dir = self.config_dir
        self.up = self.patch('up', self.save)
        self.down = self.patch('down', self.remove)

    def patch(self, name, side_effect):
        patcher = mock.patch.object(upgrade_lab.lab, name,
                                    side_effect=side_effect)
        self.addCleanup(patcher.stop)
        return patcher.start()

    def save(self, lab_settings):
        lab_settings.save()

    def remove(self, state_dir):
        os.remove(os.path.join(state_dir, 'lab.json'))

    def write_lab(self, nodes, subnet='10.9.0.0/24'):
        with open(os.path.join(self.state_dir, 'lab.json'), 'w') as out:
            json.dump({'nodes': nodes, 'subnet': subnet}, out)

    @mock.patch.object(upgrade_lab.lab_scenario, 'enable_admin_socket')
    def test_new_lab(self, admin):
        lab_settings = upgrade_lab.ensure_lab(self.state_dir, 3)
        self.assertEqual(3, lab_settings.nodes)
        self.down.assert_not_called()
        admin.assert_called_once_with(self.state_dir)

    @mock.patch.object(upgrade_lab.lab_scenario, 'enable_admin_socket')
    @mock.patch.object(upgrade_lab.kolla_config, 'set_start')
    def test_same_size_is_reused_from_v1(self, set_start, admin):
        self.write_lab(3)
        lab_settings = upgrade_lab.ensure_lab(self.state_dir, 3)
        self.down.assert_not_called()
        self.assertEqual('10.9.0.0/24', lab_settings.subnet)
        self.assertEqual(3, set_start.call_args[0][0].nodes)

    @mock.patch.object(upgrade_lab.lab_scenario, 'enable_admin_socket')
    def test_other_size_is_taken_down_first(self, admin):
        self.write_lab(3)
        lab_settings = upgrade_lab.ensure_lab(self.state_dir, 1)
        self.down.assert_called_once_with(self.state_dir)
        self.assertEqual((1, '10.9.0.0/24'),
                         (lab_settings.nodes, lab_settings.subnet))
        self.assertEqual(1, self.up.call_args[0][0].nodes)


def scenario(name):
    return scenarios.select([name])[0]


class TargetTestCase(base.TestCase):

    def test_target_options(self):
        mixed, rolling = scenario('auto-mixed'), scenario('rolling')
        self.assertEqual({'zdu_demo_exclusive_schema': True,
                          'zdu_demo_startup_delay': 0},
                         upgrade_lab.target_options(mixed))
        self.assertEqual({'zdu_demo_exclusive_schema': False,
                          'zdu_demo_startup_delay': 0},
                         upgrade_lab.target_options(rolling))

    def test_zdu_config_file(self):
        mixed, rolling = scenario('auto-mixed'), scenario('rolling')
        self.assertEqual([], upgrade_lab.zdu_config_args(rolling,
                                                         self.config_dir))
        args = upgrade_lab.zdu_config_args(mixed, self.config_dir)
        self.assertEqual('--zdu-config-file', args[0])
        self.assertEqual(os.path.join(self.config_dir, 'auto-mixed-zdu.conf'),
                         args[1])
        with open(args[1]) as stream:
            self.assertEqual(mixed.zdu_config, stream.read())


class TakeDownTestCase(base.TestCase):

    @mock.patch.object(upgrade_lab.lab, 'down')
    def test_failure_is_logged_not_raised(self, down):
        down.side_effect = errors.LabError(reason='docker is gone')
        self.assertFalse(upgrade_lab.take_down('/nowhere'))
        down.side_effect = None
        self.assertTrue(upgrade_lab.take_down('/nowhere'))
