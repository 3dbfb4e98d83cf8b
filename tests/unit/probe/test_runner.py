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
"""The Python API: probe.run() against a loopback server."""

from oslotest import base

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin import probe
from tests.unit.probe import loopback


class TestRun(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.server = self.useFixture(loopback.LoopbackServer())

    def test_run_returns_a_report(self):
        report = probe.run(probe.ProbeSettings(
            urls=[self.server.url()], rate=20.0, duration=0.25))
        self.assertEqual(5, report.summary["totals"]["ok"])
        self.assertIn("sent 5  ok 5", probe.format_summary(report))

    def test_invalid_settings_send_nothing(self):
        self.assertRaises(exceptions.ProbeError, probe.run,
                          probe.ProbeSettings(urls=[self.server.url()],
                                              rate=0, duration=1.0))
        self.assertEqual(0, self.server.requests)
