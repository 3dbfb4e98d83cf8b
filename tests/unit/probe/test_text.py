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
"""Reports as text."""

import re

from oslotest import base

from kolla_zdu_plugin.probe import phases
from kolla_zdu_plugin.probe import report as report_mod
from kolla_zdu_plugin.probe import text
from tests.unit.probe import synthetic


def _report(pattern, operations=None, **overrides):
    return report_mod.Report(
        synthetic.settings(**overrides),
        synthetic.result(synthetic.records(pattern, operations=operations)))


def _keystone_report(pattern, operations):
    return _report(pattern, operations, urls=(),
                   keystone="http://192.0.2.10:5000/v3",
                   keystone_validate_share=0.5)


def _heat_report(pattern, operations):
    return _report(pattern, operations, urls=(),
                   keystone="http://192.0.2.10:5000/v3", heat_mode=True)


class TestFormatSummary(base.BaseTestCase):

    def test_summary_of_a_run_with_failures(self):
        report = _report("....55r...4s" + "." * 20 + "S",
                         phases=[phases.Phase("upgrade",
                                              synthetic.START + 0.3)])
        summary = text.format_summary(report)
        self.assertIn("33 requests scheduled at 10/s", summary)
        self.assertIn("sent 32  ok 28  failed 3 (9.375 %)  4xx 1  "
                      "skipped (client overload) 1", summary)
        self.assertIn("failures by kind: http_5xx 2, conn_refused 1",
                      summary)
        self.assertIn("longest failing stretch: 0.300 s from t+0.400 s "
                      "(3 consecutive failures, then a success)", summary)
        self.assertIn("steady = before the first phase mark 'upgrade'",
                      summary)
        self.assertIn("slow overall", summary)
        self.assertIn("upgrade", summary.splitlines()[-1])

    def test_summary_without_failures(self):
        summary = text.format_summary(_report("...."))
        self.assertIn("failures by kind: none", summary)
        self.assertIn("failure windows: none", summary)
        self.assertNotIn("slow overall", summary)
        self.assertNotIn("start (s)", summary)

    def test_keystone_summary(self):
        summary = text.format_summary(_keystone_report("..5R..", "ivivvi"))
        self.assertIn("6 requests scheduled at 10/s to Keystone "
                      "http://192.0.2.10:5000/v3 (validate share 0.5)",
                      summary)
        self.assertIn("failures by kind: http_5xx 1, token_rejected 1",
                      summary)
        self.assertIn("    issue                3       2       1       0"
                      "   10.0 ms   10.0 ms   10.0 ms", summary)
        self.assertIn("    validate             3       2       1       0",
                      summary)
        self.assertIn("    validate failures by kind: token_rejected 1",
                      summary)
        self.assertIn("    issue failures by kind: http_5xx 1", summary)

    def test_heat_summary(self):
        summary = text.format_summary(_heat_report("..5R..", "lpclil"))
        self.assertIn("6 requests scheduled at 10/s to heat via Keystone "
                      "http://192.0.2.10:5000/v3 (heat-stack-list 0.4, "
                      "heat-validate 0.2, cfn-list-stacks 0.2, token 0.2 "
                      "(validate share 0.5); public endpoints)", summary)
        self.assertIn("  by operation         sent      ok  failed     4xx"
                      "       p50", summary)
        self.assertIn("    issue                 1       1       0       0"
                      "   10.0 ms", summary)
        self.assertIn("    heat-stack-list       3       2       1       0"
                      "   10.0 ms", summary)
        self.assertIn("    cfn-list-stacks       1       0       1       0",
                      summary)
        self.assertIn("    heat-stack-list failures by kind: "
                      "token_rejected 1", summary)

    def test_no_operation_lines_for_plain_gets(self):
        self.assertNotIn("by operation", text.format_summary(_report("..")))


class TestFormatComparison(base.BaseTestCase):

    def test_keystone_operations_side_by_side(self):
        baseline = _keystone_report("..R5", "ivvi")
        zdu = _keystone_report("....", "ivvi")
        rows = {line[:26].strip(): line[26:].split()
                for line in text.format_comparison(
                    [baseline, zdu, _report("..")]).splitlines()[1:]}
        self.assertEqual(["1", "0", "0"], rows["token_rejected"])
        self.assertEqual(["2", "2", "-"], rows["issue sent"])
        self.assertEqual(["1", "0", "-"], rows["validate failed"])
        self.assertEqual(["10.0", "ms", "10.0", "ms", "-"],
                         rows["validate latency p99"])

    def test_heat_operations_side_by_side(self):
        baseline = _heat_report("..5.", "lcpl")
        zdu = _heat_report("....", "lcpl")
        rows = {name: cells for name, *cells in (
            re.split(r" {2,}", line.strip())
            for line in text.format_comparison(
                [baseline, zdu]).splitlines()[1:])}
        self.assertEqual(["2", "2"], rows["heat-stack-list sent"])
        self.assertEqual(["1", "0"], rows["heat-validate failed"])
        self.assertEqual(["0", "0"], rows["cfn-list-stacks failed"])
        self.assertNotIn("issue sent", rows)

    def test_side_by_side(self):
        baseline = _report("..5555rr..")
        zdu = _report("....4.....")
        table = text.format_comparison([baseline, zdu],
                                       ["baseline", "zero-downtime"])
        lines = table.splitlines()
        self.assertEqual(["metric", "baseline", "zero-downtime"],
                         lines[0].split())
        rows = {line[:26].strip(): line[26:].split() for line in lines[1:]}
        self.assertEqual(["6", "0"], rows["failed"])
        self.assertEqual(["4", "0"], rows["http_5xx"])
        self.assertEqual(["2", "0"], rows["conn_refused"])
        self.assertEqual(["0", "1"], rows["http 4xx"])
        self.assertEqual(["0.600", "0"], rows["longest failing stretch s"])

    def test_default_labels_and_three_reports(self):
        table = text.format_comparison([_report(".")] * 3)
        self.assertEqual(["metric", "run", "1", "run", "2", "run", "3"],
                         table.splitlines()[0].split())
