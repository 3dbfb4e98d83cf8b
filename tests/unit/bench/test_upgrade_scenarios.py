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
"""The upgrades the bench runs."""

from kolla_zdu_bench.upgrade import scenarios as scenarios
from kolla_zdu_plugin import exceptions
from tests.unit import base


class ScenariosTestCase(base.TestCase):

    def test_run_order_and_labs(self):
        self.assertEqual(('baseline', 'rolling', 'parallel', 'auto',
                          'auto-mixed', 'baseline-1', 'buffer'),
                         scenarios.NAMES)
        labs = scenarios.by_lab(scenarios.select())
        self.assertEqual([3, 1], [nodes for nodes, group in labs])
        self.assertEqual(['baseline-1', 'buffer'],
                         [item.name for item in labs[1][1]])

    def test_each_lab_starts_with_its_baseline(self):
        for nodes, group in scenarios.by_lab(scenarios.select()):
            self.assertTrue(group[0].is_baseline, group[0])
            self.assertEqual([], [item.name for item in group[1:]
                                  if item.is_baseline])

    def test_mixed_version_unsafe_auto(self):
        mixed = scenarios.select(['auto-mixed'])[0]
        self.assertEqual('auto', mixed.strategy)
        self.assertTrue(mixed.exclusive_schema)
        self.assertEqual('[zdu]\nmixed_version_unsafe_services = zdu-demo\n',
                         mixed.zdu_config)
        self.assertEqual([], [item.name for item in scenarios.SCENARIOS
                              if item.exclusive_schema
                              and item.name != 'auto-mixed'])

    def test_subset_keeps_run_order(self):
        self.assertEqual(['baseline-1', 'buffer'], [
            item.name for item in scenarios.select(['buffer',
                                                    'baseline-1'])])

    def test_unknown_scenario(self):
        error = self.assertRaises(exceptions.ConfigError, scenarios.select,
                                  ['rolling', 'bogus'])
        self.assertIn('unknown bogus', str(error))
        self.assertIn('baseline, rolling', str(error))

    def test_other_version(self):
        self.assertEqual('v2', scenarios.other_version('v1'))
        self.assertEqual('v1', scenarios.other_version('v2'))
