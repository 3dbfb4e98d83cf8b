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
"""The figures and the table of the upgrade bench."""

from kolla_zdu_bench.upgrade import figures as upgrade_figures
from kolla_zdu_bench.upgrade import scenarios as upgrade_scenarios
from tests.unit import base
from tests.unit.bench import fakes

SCENARIOS = {item.name: item for item in upgrade_scenarios.SCENARIOS}


def figures(name, **kwargs):
    peaks = kwargs.pop('peaks', fakes.peaks(node1=10.0))
    return upgrade_figures.figures(SCENARIOS[name],
                                   fakes.outcome(name, **kwargs), peaks)


class FiguresTestCase(base.TestCase):

    def test_latencies_in_milliseconds(self):
        item = figures('rolling', steady=(0.004, 0.010, 0.020),
                       during=(0.005, 0.0125, 0.5))
        self.assertEqual((4.0, 5.0), (item['p50_steady_ms'],
                                      item['p50_during_ms']))
        self.assertEqual((10.0, 12.5), (item['p99_steady_ms'],
                                        item['p99_during_ms']))
        self.assertEqual(1.25, item['p99_ratio'])
        self.assertEqual(500.0, item['longest_hold_ms'])

    def test_totals_holds_and_memory(self):
        item = figures('buffer', sent=6123, failed=7, held_count=40,
                       held_max=4.2, stretch_seconds=1.5,
                       peaks=fakes.peaks(node1=12.34, node2=56.78))
        self.assertEqual((6123, 7, {'http_5xx': 7}),
                         (item['requests'], item['failed'],
                          item['failures_by_kind']))
        self.assertEqual((40, 4200.0), (item['held_count'],
                                        item['held_max_ms']))
        self.assertEqual(1.5, item['longest_failing_stretch_s'])
        self.assertEqual(56.8, item['haproxy_peak_mib'])
        self.assertEqual(['node1', 'node2'], list(item['haproxy_memory']))
        self.assertEqual({'peak_mib': 12.3, 'samples': 1, 'missed': 0,
                          'source': 'test'}, item['haproxy_memory']['node1'])
        self.assertEqual((1, 'buffer'), (item['nodes'], item['strategy']))

    def test_missing_samples_stay_none(self):
        item = figures('rolling', steady=None, during=None, peaks={})
        self.assertIsNone(item['p99_steady_ms'])
        self.assertIsNone(item['p99_ratio'])
        self.assertIsNone(item['longest_hold_ms'])
        self.assertIsNone(item['held_max_ms'])
        self.assertIsNone(item['haproxy_peak_mib'])
        self.assertIsNone(item['longest_failing_stretch_s'])


class CompleteTestCase(base.TestCase):

    def test_wall_ratio_against_the_baseline_of_the_same_nodes(self):
        results = [figures('baseline', seconds=100.0, failed=500),
                   figures('parallel', seconds=180.0),
                   figures('baseline-1', seconds=50.0, failed=300),
                   figures('buffer', seconds=60.0)]
        upgrade_figures.complete(results, upgrade_scenarios.SCENARIOS, 20)
        self.assertEqual([1.0, 1.8, 1.0, 1.2],
                         [item['wall_ratio'] for item in results])
        self.assertEqual([], results[0]['targets'])
        self.assertEqual(
            ['zero failures', 'p99 during <= 1.5x steady',
             'wall time <= 1.5x baseline'],
            [check['target'] for check in results[1]['targets']])

    def test_no_ratio_without_a_successful_baseline(self):
        results = [figures('baseline', seconds=100.0, return_code=2),
                   figures('auto', seconds=120.0)]
        upgrade_figures.complete(results, upgrade_scenarios.SCENARIOS, 20)
        self.assertIsNone(results[1]['wall_ratio'])
        self.assertEqual([True, None], [check['met'] for check in
                                        results[1]['targets']])


class TableTestCase(base.TestCase):

    def results(self):
        results = [figures('baseline', seconds=96.0, failed=710,
                           sent=10632, during=(0.006, 0.1728, 7.6),
                           held_count=12, held_max=7.6),
                   figures('rolling', seconds=136.0, sent=14615,
                           steady=(0.004, 0.0082, 0.02),
                           during=(0.005, 0.027, 0.3),
                           peaks=fakes.peaks(node1=30.0, node2=31.25))]
        return upgrade_figures.complete(
            results, upgrade_scenarios.SCENARIOS, 20)

    def test_rows(self):
        baseline, rolling = [upgrade_figures.row(item)
                             for item in self.results()]
        self.assertEqual(len(upgrade_figures.HEADER), len(rolling))
        self.assertEqual(
            ('rolling', '3', '14615', '0', '4.0 / 5.0', '8.2 / 27.0',
             '3.29', '300', '0 / -', '136.0', '1.42', '31.2',
             'NOT met: p99 ratio 3.29'), rolling)
        self.assertEqual(('baseline', '3', '10632', '710'), baseline[:4])
        self.assertEqual('12 / 7600', baseline[8])
        self.assertEqual('-', baseline[-1])

    def test_text_table(self):
        lines = upgrade_figures.text_table(self.results()).splitlines()
        self.assertEqual(4, len(lines))
        self.assertTrue(lines[0].startswith('scenario | nodes | requests'))
        self.assertTrue(lines[3].startswith('rolling  | 3     | 14615'))
