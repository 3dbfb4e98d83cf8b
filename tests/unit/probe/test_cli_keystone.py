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
"""``kolla-ansible zdu-probe`` in the keystone mode.

Beside the other zdu-probe command tests (tests/unit/cli/test_probe.py)
because it uses the fake Keystone of this package.
"""

import argparse
import io
import json
import os

import fixtures
from oslotest import base

from kolla_zdu_plugin.cli import probe as probe_cli
from kolla_zdu_plugin import exceptions
from tests.unit.probe import fake_keystone


class _FakeApp:
    def __init__(self):
        self.stdout = io.StringIO()
        self.stderr = io.StringIO()
        self.options = argparse.Namespace(verbose_level=1)


class TestKeystoneCommand(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.keystone = self.useFixture(fake_keystone.FakeKeystone())
        self.report = os.path.join(
            self.useFixture(fixtures.TempDir()).path, "probe.json")
        self.app = _FakeApp()
        self.command = probe_cli.Probe(self.app, None)

    def parse(self, *argv):
        parser = self.command.get_parser("kolla-ansible zdu-probe")
        return parser.parse_args(["--report", self.report, "--rate", "20",
                                  "--duration", "0.5", *argv])

    def keystone_args(self, *extra):
        return ("--keystone", self.keystone.url,
                "--os-username", fake_keystone.USERNAME,
                "--os-password", fake_keystone.PASSWORD,
                "--os-project-name", fake_keystone.PROJECT, *extra)

    def test_options_become_settings(self):
        settings = probe_cli.settings_from_args(self.parse(
            *self.keystone_args("--keystone-validate-share", "0.2",
                                "--os-user-domain-name", "Users")))
        self.assertEqual((), tuple(settings.urls))
        self.assertEqual(self.keystone.url, settings.keystone)
        self.assertEqual(0.2, settings.keystone_validate_share)
        self.assertEqual(("Users", None), (settings.os_user_domain_name,
                                           settings.os_project_domain_name))
        settings.validate()

    def test_cloud_options(self):
        settings = probe_cli.settings_from_args(self.parse(
            "--os-cloud", "kolla-admin", "--os-client-config-file",
            "/etc/kolla/clouds.yaml"))
        self.assertEqual(("kolla-admin", "/etc/kolla/clouds.yaml"),
                         (settings.os_cloud, settings.os_client_config_file))
        self.assertTrue(settings.keystone_mode)

    def test_url_or_keystone_is_required(self):
        exc = self.assertRaises(exceptions.ProbeError,
                                self.command.take_action, self.parse())
        self.assertIn("--url", str(exc))
        self.assertFalse(os.path.exists(self.report))

    def test_run(self):
        self.command.take_action(self.parse(*self.keystone_args()))
        output = self.app.stdout.getvalue()
        self.assertIn("sent 10  ok 10  failed 0", output)
        self.assertRegex(output, r"issue +5 +5 +0 +0 ")
        with open(self.report) as report_file:
            summary = json.load(report_file)["summary"]
        self.assertEqual(["issue", "validate"],
                         sorted(summary["by_operation"]))

    def test_preflight_failure_writes_no_report(self):
        exc = self.assertRaises(
            exceptions.ProbeError, self.command.take_action,
            self.parse(*self.keystone_args("--os-password", "wrong")))
        self.assertIn("--os-username/--os-password", str(exc))
        self.assertFalse(os.path.exists(self.report))
        self.assertEqual({"POST": 1, "GET": 0}, self.keystone.requests)
