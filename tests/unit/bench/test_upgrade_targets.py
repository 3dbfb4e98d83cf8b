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
"""The targets of the upgrade bench."""

from kolla_zdu_bench.upgrade import targets as targets
from tests.unit import base

ALL = (targets.ZERO_FAILURES, targets.P99_RATIO, targets.WALL_RATIO,
       targets.HOLD)


def item(**overrides):
    figures = {'scenario': 'parallel', 'nodes': 3, 'return_code': 0,
               'failed': 0, 'p99_ratio': 1.2, 'wall_ratio': 1.4,
               'longest_hold_ms': 900.0, 'targets': []}
    figures.update(overrides)
    return figures


def met(figures, wanted=ALL, max_hold_time=20):
    return [check['met'] for check in
            targets.evaluate(figures, wanted, max_hold_time)]


class EvaluateTestCase(base.TestCase):

    def test_all_met(self):
        self.assertEqual([True] * 4, met(item()))

    def test_limits_are_inclusive(self):
        self.assertEqual([True] * 4, met(item(
            p99_ratio=1.5, wall_ratio=1.5, longest_hold_ms=20000.0)))

    def test_each_target_can_be_missed(self):
        self.assertEqual([False, True, True, True], met(item(failed=1)))
        self.assertEqual([True, False, True, True],
                         met(item(p99_ratio=1.51)))
        self.assertEqual([True, True, False, True],
                         met(item(wall_ratio=1.6)))
        self.assertEqual([True, True, True, False],
                         met(item(longest_hold_ms=20001.0)))
        self.assertEqual([True, True, True, False],
                         met(item(longest_hold_ms=6000.0), max_hold_time=5))

    def test_not_measured(self):
        self.assertEqual([True, None, None, None], met(item(
            p99_ratio=None, wall_ratio=None, longest_hold_ms=None)))

    def test_only_the_scenario_targets(self):
        checks = targets.evaluate(item(failed=3), (targets.ZERO_FAILURES,),
                                  20)
        self.assertEqual([{'target': 'zero failures', 'met': False,
                           'detail': '3 failed'}], checks)

    def test_names_carry_the_limits(self):
        self.assertEqual(
            ['zero failures', 'p99 during <= 1.5x steady',
             'wall time <= 1.5x baseline',
             'longest hold <= [buffer] max_hold_time'],
            [check['target'] for check in
             targets.evaluate(item(), ALL, 20)])

    def test_max_hold_time_default_comes_from_the_option(self):
        self.assertEqual(20, targets.default_max_hold_time())


class VerdictTestCase(base.TestCase):

    def judged(self, **overrides):
        figures = item(**overrides)
        figures['targets'] = targets.evaluate(figures, ALL, 20)
        return figures

    def test_met(self):
        self.assertEqual('met', targets.verdict(self.judged()))

    def test_missed_targets_are_named(self):
        self.assertEqual('NOT met: 2 failed; wall ratio 2.00',
                         targets.verdict(self.judged(failed=2,
                                                     wall_ratio=2.0)))

    def test_not_measured(self):
        self.assertEqual('met, 1 not measured',
                         targets.verdict(self.judged(wall_ratio=None)))

    def test_failed_upgrade_first(self):
        self.assertEqual('upgrade FAILED (exit 2)',
                         targets.verdict(self.judged(return_code=2)))

    def test_no_targets(self):
        self.assertEqual('-', targets.verdict(item()))

    def test_unmet(self):
        results = [self.judged(), self.judged(scenario='buffer', failed=4)]
        self.assertEqual([('buffer', 'zero failures', '4 failed')],
                         targets.unmet(results))
