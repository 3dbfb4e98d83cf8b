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
"""Nearest-rank percentiles and latency summaries."""

from oslotest import base

from kolla_zdu_plugin.probe import stats


class TestPercentile(base.BaseTestCase):

    def test_nearest_rank(self):
        values = list(range(1, 101))
        self.assertEqual(50, stats.percentile(values, 0.50))
        self.assertEqual(99, stats.percentile(values, 0.99))
        self.assertEqual(100, stats.percentile(values, 1.0))

    def test_small_samples(self):
        self.assertEqual(7, stats.percentile([7], 0.5))
        self.assertEqual(7, stats.percentile([7], 0.99))
        self.assertEqual(2, stats.percentile([1, 2, 3], 0.5))
        self.assertEqual(3, stats.percentile([1, 2, 3], 0.99))

    def test_empty(self):
        self.assertIsNone(stats.percentile([], 0.5))


class TestLatencySummary(base.BaseTestCase):

    def test_summary_of_unsorted_values(self):
        values = [0.01] * 98 + [2.0, 0.5]
        self.assertEqual({"count": 100, "p50": 0.01, "p99": 0.5, "max": 2.0},
                         stats.latency_summary(values))

    def test_empty_is_none(self):
        self.assertIsNone(stats.latency_summary([]))
        self.assertIsNone(stats.latency_summary(x for x in ()))
