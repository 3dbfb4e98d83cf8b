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
import os
import sys

import fixtures

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.strategies import loader
from kolla_zdu_plugin.strategies import rolling
from tests.unit import base

THIRD_PARTY_MODULE = '''
from kolla_zdu_plugin.planning import plan
from kolla_zdu_plugin.strategies import base


class CanaryStrategy(base.Strategy):
    name = 'canary'

    def plan_service(self, service, facts):
        # A vendor's strategy plans batches the plugin's roles carry out.
        host = service.hosts[0]
        return self.service_plan(service, [plan.Batch(
            hosts=(host,), mechanism=plan.ROLLING, steps=())],
            reason='third party')
'''


class LoaderTestCase(base.TestCase):

    def test_builtin_strategies_are_installed(self):
        self.assertEqual(['auto', 'buffer', 'noop', 'parallel', 'rolling'],
                         loader.installed_strategies())

    def test_load_passes_conf(self):
        conf = self.make_conf()
        strategy = loader.load_strategy('rolling', conf)
        self.assertIsInstance(strategy, rolling.RollingStrategy)
        self.assertIs(conf, strategy.conf)

    def test_unknown_lists_installed(self):
        exc = self.assertRaises(exceptions.StrategyNotFound,
                                loader.load_strategy, 'blue-green',
                                self.make_conf())
        self.assertIn("'blue-green'", str(exc))
        self.assertIn('auto, buffer, noop, parallel, rolling', str(exc))

    def test_third_party_strategy_by_entry_point_alone(self):
        site = self.useFixture(fixtures.TempDir()).path
        with open(os.path.join(site, 'zdu_canary.py'), 'w') as stream:
            stream.write(THIRD_PARTY_MODULE)
        dist_info = os.path.join(site, 'zdu_canary-1.0.dist-info')
        os.mkdir(dist_info)
        with open(os.path.join(dist_info, 'METADATA'), 'w') as stream:
            stream.write('Metadata-Version: 2.1\nName: zdu-canary\n'
                         'Version: 1.0\n')
        with open(os.path.join(dist_info, 'entry_points.txt'), 'w') as f:
            f.write('[kolla_zdu_plugin.strategies]\n'
                    'canary = zdu_canary:CanaryStrategy\n')
        self.useFixture(fixtures.MonkeyPatch('sys.path', [site] + sys.path))
        self.useFixture(fixtures.MonkeyPatch(
            'stevedore.extension.ExtensionManager.ENTRY_POINT_CACHE', {}))
        self.assertIn('canary', loader.installed_strategies())
        strategy = loader.load_strategy('canary', self.make_conf())
        result = strategy.plan_service(base.make_service(), None)
        self.assertEqual('third party', result.reason)
