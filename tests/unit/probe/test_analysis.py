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
"""The report figures computed from synthetic records."""

from oslotest import base

from kolla_zdu_plugin.probe import analysis
from kolla_zdu_plugin.probe import phases
from tests.unit.probe import synthetic

START = synthetic.START


def _summary(pattern, latencies=None, operations=None, **overrides):
    recs = synthetic.records(pattern, latencies=latencies,
                             operations=operations)
    return analysis.summarise(synthetic.settings(**overrides),
                              synthetic.result(recs))


class TestTotals(base.BaseTestCase):

    def test_counts_and_kinds(self):
        totals = _summary("..55r4st.S")["totals"]
        self.assertEqual({
            "scheduled": 10, "sent": 9, "ok": 4, "failed": 4,
            "failed_percent": 44.444, "http_4xx": 1, "skipped": 1,
            "failures_by_kind": {"conn_refused": 1, "http_5xx": 2,
                                 "timeout": 1},
        }, totals)

    def test_no_requests_sent(self):
        totals = _summary("ss")["totals"]
        self.assertEqual(0, totals["sent"])
        self.assertEqual(0.0, totals["failed_percent"])

    def test_by_url_and_mode(self):
        summary = _summary("..5.")
        self.assertEqual(1, summary["by_url"][synthetic.URL]["failed"])
        self.assertEqual({"fresh", "keepalive"}, set(summary["by_mode"]))
        self.assertEqual(2, summary["by_mode"]["fresh"]["sent"])


class TestByOperation(base.BaseTestCase):

    def test_keystone_operations(self):
        summary = _summary("..5R.4r.s", operations="ivivivivi",
                           latencies=[0.01, 0.02, 0.03, 0.04, 0.05, 0.06,
                                      0.07, 0.08, 0.09])
        issue, validate = (summary["by_operation"]["issue"],
                           summary["by_operation"]["validate"])
        self.assertEqual((5, 4, 2, 2, 0, 1),
                         (issue["scheduled"], issue["sent"], issue["ok"],
                          issue["failed"], issue["http_4xx"],
                          issue["skipped"]))
        self.assertEqual({"http_5xx": 1, "conn_refused": 1},
                         issue["failures_by_kind"])
        self.assertEqual((4, 2, 1, 1), (validate["sent"], validate["ok"],
                                        validate["failed"],
                                        validate["http_4xx"]))
        self.assertEqual({"token_rejected": 1},
                         validate["failures_by_kind"])
        self.assertEqual({"count": 3, "p50": 0.03, "p99": 0.05, "max": 0.05},
                         issue["latency"]["overall"])
        self.assertEqual(4, validate["latency"]["overall"]["count"])
        self.assertEqual(3, summary["totals"]["failed"])

    def test_heat_operations(self):
        summary = _summary("..5R.c.R", operations="lpclivcl")
        by_operation = summary["by_operation"]
        self.assertEqual(["issue", "validate", "heat-stack-list",
                          "heat-validate", "cfn-list-stacks"],
                         list(by_operation))
        stack_list = by_operation["heat-stack-list"]
        self.assertEqual((3, 1, 2), (stack_list["sent"], stack_list["ok"],
                                     stack_list["failed"]))
        self.assertEqual({"token_rejected": 2},
                         stack_list["failures_by_kind"])
        self.assertEqual({"http_5xx": 1},
                         by_operation["cfn-list-stacks"]["failures_by_kind"])
        self.assertEqual({"conn_reset": 1},
                         by_operation["validate"]["failures_by_kind"])
        self.assertEqual(1, by_operation["heat-validate"]["ok"])

    def test_plain_gets_have_no_operations(self):
        self.assertEqual({}, _summary("..5")["by_operation"])


class TestPeriods(base.BaseTestCase):

    def test_steady_state_is_the_first_seconds_without_phases(self):
        summary = _summary("." * 30, steady_seconds=1.0)
        steady = summary["periods"]["steady"]
        self.assertEqual(START + 1.0, steady["end"])
        self.assertIn("first 1 s", steady["basis"])
        self.assertIn("no phase", steady["basis"])
        latency = summary["latency"]["plain"]
        self.assertEqual(10, latency["steady"]["count"])
        self.assertEqual(20, latency["during"]["count"])
        self.assertEqual(30, latency["overall"]["count"])

    def test_steady_state_ends_at_the_first_phase(self):
        marks = [phases.Phase("contract", START + 2.0),
                 phases.Phase("upgrade", START + 0.5)]
        summary = _summary("." * 30, phases=marks)
        self.assertEqual(START + 0.5, summary["periods"]["steady"]["end"])
        self.assertIn("'upgrade'", summary["periods"]["steady"]["basis"])
        self.assertEqual(5, summary["latency"]["plain"]["steady"]["count"])

    def test_latency_before_and_during(self):
        latencies = [0.01] * 10 + [0.5] * 9 + [3.0]
        latency = _summary("." * 20, latencies, steady_seconds=1.0)[
            "latency"]["plain"]
        self.assertEqual({"count": 10, "p50": 0.01, "p99": 0.01,
                          "max": 0.01}, latency["steady"])
        self.assertEqual({"count": 10, "p50": 0.5, "p99": 3.0, "max": 3.0},
                         latency["during"])

    def test_latency_counts_answered_plain_requests_only(self):
        latencies = [0.01, 0.02, 2.0, 0.03, 9.0, 0.04]
        latency = _summary(".5S4t.", latencies)["latency"]
        self.assertEqual(4, latency["plain"]["overall"]["count"])
        self.assertEqual(0.04, latency["plain"]["overall"]["max"])
        self.assertEqual(1, latency["slow"]["overall"]["count"])
        self.assertIsNone(latency["slow"]["during"])


class TestHeld(base.BaseTestCase):

    def test_held_requests(self):
        latencies = [0.01, 1.5, 2.5, 0.9, 4.0, 5.0]
        held = _summary("..5.tS", latencies, hold_threshold=1.0)["held"]
        self.assertEqual({"threshold": 1.0, "count": 3, "ok": 1,
                          "failed": 2, "max": 4.0}, held)


class TestFailureWindows(base.BaseTestCase):

    def test_longest_windows(self):
        windows = _summary("..555.5" + "." * 20 + "cc.")["failure_windows"]
        self.assertEqual(2, windows["cluster_count"])
        self.assertEqual(4, windows["longest_cluster"]["failures"])
        self.assertAlmostEqual(0.4, windows["longest_cluster"]["seconds"])
        stretch = windows["longest_failing_stretch"]
        self.assertEqual(3, stretch["failures"])
        self.assertAlmostEqual(0.3, stretch["seconds"])

    def test_no_failure(self):
        windows = _summary("....")["failure_windows"]
        self.assertIsNone(windows["longest_cluster"])
        self.assertIsNone(windows["longest_failing_stretch"])

    def test_skipped_requests_do_not_break_a_stretch(self):
        stretch = _summary(".55s55.")["failure_windows"][
            "longest_failing_stretch"]
        self.assertEqual(4, stretch["failures"])


class TestPhaseCounts(base.BaseTestCase):

    def test_counts_per_phase(self):
        marks = [phases.Phase("upgrade", START + 0.3),
                 phases.Phase("done", START + 0.7)]
        segments = _summary("...55.4s..", phases=marks)["phases"]
        self.assertEqual(["(before first phase)", "upgrade", "done"],
                         [segment["name"] for segment in segments])
        self.assertEqual([3, 4, 3], [s["scheduled"] for s in segments])
        self.assertEqual([0, 2, 0], [s["failed"] for s in segments])
        self.assertEqual([0, 0, 1], [s["skipped"] for s in segments])
        self.assertEqual([0, 1, 0], [s["http_4xx"] for s in segments])
        self.assertEqual(START + 0.3, segments[1]["start"])
        self.assertEqual(START + 0.7, segments[1]["end"])

    def test_no_phases(self):
        self.assertEqual([], _summary("...")["phases"])


class TestSender(base.BaseTestCase):

    def test_achieved_rate_and_send_lag(self):
        sender = _summary("." * 11)["sender"]
        self.assertEqual(10.0, sender["requested_rate"])
        self.assertAlmostEqual(10.0, sender["achieved_rate"], places=3)
        self.assertEqual(0.0, sender["send_lag"]["max"])
