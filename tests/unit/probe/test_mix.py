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
"""Which operation each request makes, in fixed shares."""

import collections

from oslotest import base

from kolla_zdu_plugin.probe import heat
from kolla_zdu_plugin.probe import mix
from kolla_zdu_plugin.probe import record
from kolla_zdu_plugin.probe import settings as settings_mod


def _picks(shares, count):
    return "".join(mix.pick(index, shares)[0] for index in range(count))


class TestSplit(base.BaseTestCase):

    def test_split_counts_and_ranks(self):
        sides = [mix.split(index, 0.25) for index in range(8)]
        self.assertEqual([False, False, False, True] * 2,
                         [chosen for chosen, _rank in sides])
        self.assertEqual([0, 1, 2, 0, 3, 4, 5, 1],
                         [rank for _chosen, rank in sides])


class TestPick(base.BaseTestCase):

    def test_exact_counts_spread_evenly(self):
        shares = [("a", 0.4), ("b", 0.2), ("c", 0.2), ("d", 0.2)]
        picks = _picks(shares, 20)
        self.assertEqual({"a": 8, "b": 4, "c": 4, "d": 4},
                         collections.Counter(picks))
        self.assertEqual(picks[:5], picks[5:10])
        self.assertNotIn("aa", picks)

    def test_ranks_count_each_operation(self):
        shares = [("a", 0.5), ("b", 0.5)]
        self.assertEqual([("b", 0), ("a", 0), ("b", 1), ("a", 1)],
                         [mix.pick(index, shares) for index in range(4)])

    def test_zero_shares_are_never_picked(self):
        self.assertEqual("b" * 6, _picks([("a", 0.0), ("b", 1.0)], 6))
        self.assertEqual("baba", _picks(
            [("a", 0.5), ("b", 0.5), ("c", 0.0)], 4))
        self.assertNotIn("c", _picks([("a", 0.7), ("b", 0.3), ("c", 0.0)],
                                     1000))

    def test_uneven_shares_over_a_long_run(self):
        shares = [("a", 0.1), ("b", 0.3), ("c", 0.6)]
        self.assertEqual({"a": 100, "b": 300, "c": 600},
                         collections.Counter(_picks(shares, 1000)))


class TestHeatOperations(base.BaseTestCase):

    def requester(self, **shares):
        settings = settings_mod.ProbeSettings(
            urls=(), rate=10.0, duration=1.0, keystone="http://h:5000",
            os_username="u", os_password="p", os_project_name="p",
            heat_mode=True, **shares)
        settings.validate()
        return heat.requester_for(settings)

    def operations(self, count, **shares):
        requester = self.requester(**shares)
        return [requester.operation_for(index) for index in range(count)]

    def test_default_shares(self):
        self.assertEqual({record.HEAT_STACK_LIST: 40, record.HEAT_VALIDATE: 20,
                          record.CFN_LIST_STACKS: 20, record.ISSUE: 10,
                          record.VALIDATE: 10},
                         collections.Counter(self.operations(100)))

    def test_token_requests_alternate_issue_and_validate(self):
        tokens = [operation for operation in self.operations(40)
                  if operation in record.KEYSTONE_OPERATIONS]
        self.assertEqual([record.ISSUE, record.VALIDATE] * 4, tokens)

    def test_other_shares(self):
        self.assertEqual(
            {record.HEAT_VALIDATE: 5, record.CFN_LIST_STACKS: 5},
            collections.Counter(self.operations(
                10, heat_stack_list_share=0.0, heat_validate_share=0.5,
                heat_cfn_share=0.5, heat_token_share=0.0)))

    def test_heat_operations_with_a_share(self):
        requester = self.requester(heat_validate_share=0.0,
                                   heat_stack_list_share=0.6)
        self.assertEqual([record.HEAT_STACK_LIST, record.CFN_LIST_STACKS],
                         requester.heat_operations)
