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
"""``kolla-ansible zdu-probe --heat``, against the fake heat servers.

Beside the other zdu-probe command tests (tests/unit/cli/test_probe.py)
because it uses the fake servers of this package.
"""

import io
import json
import os

import fixtures
from oslotest import base

from kolla_zdu_plugin.cli import probe as probe_cli
from kolla_zdu_plugin import exceptions
from tests.unit.probe import fake_heat
from tests.unit.probe import fake_keystone
from tests.unit.probe import test_cli_keystone


class TestHeatCommand(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.fake = self.useFixture(fake_heat.FakeHeat())
        self.report = os.path.join(
            self.useFixture(fixtures.TempDir()).path, "probe.json")
        self.app = test_cli_keystone._FakeApp()
        self.command = probe_cli.Probe(self.app, None)

    def parse(self, *argv):
        parser = self.command.get_parser("kolla-ansible zdu-probe")
        return parser.parse_args(["--report", self.report, "--rate", "20",
                                  "--duration", "0.5", *argv])

    def heat_args(self, *extra):
        return ("--heat", "--keystone", self.fake.url,
                "--os-username", fake_keystone.USERNAME,
                "--os-password", fake_keystone.PASSWORD,
                "--os-project-name", fake_keystone.PROJECT, *extra)

    def test_defaults(self):
        settings = probe_cli.settings_from_args(self.parse(
            "--keystone", self.fake.url))
        self.assertFalse(settings.heat_mode)
        self.assertEqual((0.4, 0.2, 0.2, 0.2, "public"),
                         (settings.heat_stack_list_share,
                          settings.heat_validate_share,
                          settings.heat_cfn_share, settings.heat_token_share,
                          settings.heat_interface))

    def test_options_become_settings(self):
        settings = probe_cli.settings_from_args(self.parse(*self.heat_args(
            "--heat-stack-list-share", "0.5", "--heat-validate-share", "0.1",
            "--heat-cfn-share", "0.3", "--heat-token-share", "0.1",
            "--heat-interface", "internal")))
        self.assertTrue(settings.heat_mode)
        self.assertEqual((0.5, 0.1, 0.3, 0.1, "internal"),
                         (settings.heat_stack_list_share,
                          settings.heat_validate_share,
                          settings.heat_cfn_share, settings.heat_token_share,
                          settings.heat_interface))
        settings.validate()

    def test_interface_choices(self):
        stderr = self.useFixture(
            fixtures.MonkeyPatch("sys.stderr", io.StringIO())).new_value
        exc = self.assertRaises(SystemExit, self.parse, *self.heat_args(
            "--heat-interface", "admin"))
        self.assertEqual(2, exc.code)
        self.assertIn("--heat-interface: invalid choice: 'admin'",
                      stderr.getvalue())

    def test_heat_needs_keystone(self):
        exc = self.assertRaises(exceptions.ProbeError,
                                self.command.take_action,
                                self.parse("--heat"))
        self.assertIn("--heat needs --keystone or --os-cloud", str(exc))
        self.assertFalse(os.path.exists(self.report))

    def test_shares_must_add_up(self):
        exc = self.assertRaises(
            exceptions.ProbeError, self.command.take_action,
            self.parse(*self.heat_args("--heat-cfn-share", "0.5")))
        self.assertIn("must add up to 1 (got 1.3)", str(exc))
        self.assertEqual({}, self.fake.heat.calls)

    def test_run(self):
        self.command.take_action(self.parse(*self.heat_args()))
        output = self.app.stdout.getvalue()
        self.assertIn("sent 10  ok 10  failed 0", output)
        self.assertRegex(output, r"heat-stack-list +4 +4 +0 +0 ")
        with open(self.report) as report_file:
            data = json.load(report_file)
        self.assertEqual(["cfn-list-stacks", "heat-stack-list",
                          "heat-validate", "issue", "validate"],
                         sorted(data["summary"]["by_operation"]))
        self.assertTrue(data["settings"]["heat_mode"])

    def test_preflight_failure_writes_no_report(self):
        self.fake.cfn.reject_signatures = True
        exc = self.assertRaises(exceptions.ProbeError,
                                self.command.take_action,
                                self.parse(*self.heat_args()))
        self.assertIn("cfn-list-stacks", str(exc))
        self.assertFalse(os.path.exists(self.report))
