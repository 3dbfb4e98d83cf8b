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
import json

from tests.unit import base
from tests.unit.cli import fakes


class PlanCommandTestCase(base.TestCase):

    def run_plan(self, *extra):
        return fakes.run_kolla_ansible(
            ['zdu-plan', '-i', base.MULTINODE, '--configdir',
             self.config_dir] + list(extra))

    def test_table(self):
        code, run_command, out = self.run_plan()
        self.assertEqual(0, code)
        run_command.assert_not_called()
        self.assertIn('HAProxy hosts: network01, network02', out)
        self.assertIn('%s (keystone, container %s): auto:rolling'
                      % (base.KEYSTONE, base.KEYSTONE_CONTAINER), out)
        self.assertIn('control01 | drain | set server state drain | '
                      'keystone_internal_back/control01 on '
                      'network01,network02', out)
        self.assertIn('glance-api (glance, container glance_api): '
                      'auto:parallel', out)

    def test_json_with_strategy(self):
        code, _run, out = self.run_plan('--format', 'json',
                                        '--zdu-strategy', 'buffer')
        self.assertEqual(0, code)
        data = json.loads(out)
        strategies = {s['service']: s['strategy'] for s in data['services']}
        self.assertEqual('buffer', strategies[base.KEYSTONE])
        keystone = [s for s in data['services']
                    if s['service'] == base.KEYSTONE][0]
        steps = [step for batch in keystone['batches']
                 for step in batch['steps']]
        self.assertEqual('db-expand-migrate', steps[0]['action'])
        self.assertEqual('db-contract', steps[-1]['action'])
        self.assertEqual([['control01', 'control02', 'control03']],
                         [batch['hosts'] for batch in keystone['batches']])
        self.assertEqual('buffer', keystone['batches'][0]['mechanism'])

    def test_bad_config_is_one_error(self):
        self.write_config('zdu.conf', '[zdu]\nstrategy = rolling\nfoo = 1\n')
        code, _run, out = self.run_plan()
        self.assertEqual(1, code)
        self.assertEqual('', out)
