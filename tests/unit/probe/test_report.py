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
"""The report: JSON round trip, files and re-analysis with phases."""

import json
import os

import fixtures
from oslotest import base

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.probe import phases
from kolla_zdu_plugin.probe import report as report_mod
from tests.unit.probe import synthetic


def _report(pattern="..55.4s.t.", **overrides):
    return report_mod.Report(synthetic.settings(**overrides),
                             synthetic.result(synthetic.records(pattern)))


class TestReport(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                 "probe.json")

    def test_write_and_load_round_trip(self):
        original = _report(phases=[phases.Phase("upgrade", 1700000000.5)])
        original.write(self.path)
        loaded = report_mod.load_report(self.path)
        self.assertEqual(original.records, loaded.records)
        self.assertEqual(original.settings, loaded.settings)
        self.assertEqual(original.result, loaded.result)
        self.assertEqual(original.summary, loaded.summary)

    def test_file_is_json_with_summary_and_one_line_per_record(self):
        _report().write(self.path)
        with open(self.path) as report_file:
            text = report_file.read()
        data = json.loads(text)
        self.assertEqual(report_mod.FORMAT, data["format"])
        self.assertEqual(5, data["summary"]["totals"]["ok"])
        self.assertEqual(10, len(data["records"]["rows"]))
        self.assertIn('[0, "%s", "fresh"' % synthetic.URL, text)
        self.assertEqual(0o644, os.stat(self.path).st_mode & 0o777)
        self.assertEqual(["probe.json"], os.listdir(os.path.dirname(
            self.path)))

    def test_to_dict_is_json_ready(self):
        data = _report(phases=[phases.Phase("x", 1.0)]).to_dict()
        self.assertEqual(data, json.loads(json.dumps(data)))
        self.assertEqual([{"name": "x", "at": 1.0}],
                         data["settings"]["phases"])

    def test_with_phases_reanalyses_the_same_records(self):
        plain = _report()
        phased = plain.with_phases([phases.Phase("b", synthetic.START + 0.5),
                                    phases.Phase("a", synthetic.START + 0.2)])
        self.assertIs(plain.result, phased.result)
        self.assertEqual([], plain.summary["phases"])
        self.assertEqual(["(before first phase)", "a", "b"],
                         [p["name"] for p in phased.summary["phases"]])

    def test_load_rejects_other_files(self):
        with open(self.path, "w") as other:
            json.dump({"format": "something else"}, other)
        exc = self.assertRaises(exceptions.ProbeError,
                                report_mod.load_report, self.path)
        self.assertIn("not a probe report", str(exc))

    def test_load_missing_file_names_it(self):
        exc = self.assertRaises(exceptions.ProbeError,
                                report_mod.load_report, self.path)
        self.assertIn(self.path, str(exc))
