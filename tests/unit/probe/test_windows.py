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
"""Failure clusters and failing stretches on synthetic records."""

from oslotest import base

from kolla_zdu_plugin.probe import windows
from tests.unit.probe import synthetic

START = synthetic.START


class TestFailureClusters(base.BaseTestCase):

    def test_no_failures(self):
        self.assertEqual([], windows.failure_clusters(
            synthetic.records("...4.."), gap=1.0))

    def test_gaps_split_clusters(self):
        recs = synthetic.records("55..5" + "." * 20 + "r.c")
        clusters = windows.failure_clusters(recs, gap=1.0)
        self.assertEqual(2, len(clusters))
        first, second = clusters
        self.assertEqual(START, first["start"])
        self.assertAlmostEqual(START + 0.4, first["end"])
        self.assertAlmostEqual(0.4, first["seconds"])
        self.assertEqual(3, first["failures"])
        self.assertEqual(5, first["requests"])
        self.assertEqual(2, second["failures"])
        self.assertEqual(3, second["requests"])

    def test_wider_gap_joins_clusters(self):
        recs = synthetic.records("5" + "." * 15 + "5")
        self.assertEqual(2, len(windows.failure_clusters(recs, gap=1.0)))
        self.assertEqual(1, len(windows.failure_clusters(recs, gap=2.0)))

    def test_single_failure_is_a_zero_length_cluster(self):
        (cluster,) = windows.failure_clusters(synthetic.records("..t.."), 1.0)
        self.assertEqual(0.0, cluster["seconds"])
        self.assertEqual(1, cluster["failures"])


class TestFailingStretches(base.BaseTestCase):

    def test_stretch_ends_at_the_next_success(self):
        stretches = windows.failing_stretches(synthetic.records("..555.55.."))
        self.assertEqual(2, len(stretches))
        first = stretches[0]
        self.assertAlmostEqual(START + 0.2, first["start"])
        self.assertAlmostEqual(START + 0.5, first["end"])
        self.assertAlmostEqual(0.3, first["seconds"])
        self.assertEqual(3, first["failures"])
        self.assertTrue(first["recovered"])

    def test_a_4xx_ends_a_stretch(self):
        stretches = windows.failing_stretches(synthetic.records("55455"))
        self.assertEqual([2, 2], [s["failures"] for s in stretches])

    def test_stretch_until_the_end(self):
        (stretch,) = windows.failing_stretches(synthetic.records("..ccc"))
        self.assertFalse(stretch["recovered"])
        self.assertAlmostEqual(0.2, stretch["seconds"])

    def test_longest(self):
        stretches = windows.failing_stretches(
            synthetic.records(".5.555.55."))
        self.assertEqual(3, windows.longest(stretches)["failures"])
        self.assertIsNone(windows.longest([]))
