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
"""Checks on the probe settings and phase marks, made before any request."""

import os

import fixtures
from oslotest import base

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.probe import phases
from kolla_zdu_plugin.probe import settings as settings_mod


def _settings(**overrides):
    values = dict(urls=["http://127.0.0.1:8080/"], rate=10.0, duration=1.0)
    values.update(overrides)
    return settings_mod.ProbeSettings(**values)


class TestValidate(base.BaseTestCase):

    def assertInvalid(self, option, **overrides):
        exc = self.assertRaises(exceptions.ProbeError,
                                _settings(**overrides).validate)
        self.assertIn(option, str(exc))
        return exc

    def test_valid(self):
        _settings().validate()
        _settings(urls=["https://api.example.org:5000/v3?x=1"]).validate()
        _settings(duration=None).validate()

    def test_urls(self):
        self.assertInvalid("--url", urls=[])
        self.assertInvalid("--url", urls=["ftp://127.0.0.1/"])
        self.assertInvalid("--url", urls=["127.0.0.1:8080"])
        self.assertInvalid("--url", urls=["http:///path"])
        self.assertInvalid("--url", urls=["http://127.0.0.1:99999/"])

    def test_bad_url_is_named(self):
        exc = self.assertInvalid("--url", urls=["ftp://h/"])
        self.assertIn("ftp://h/", str(exc))

    def test_rate(self):
        self.assertInvalid("--rate", rate=0)
        self.assertInvalid("--rate", rate=-5)
        self.assertInvalid("--rate", rate=settings_mod.MAX_RATE + 1)

    def test_durations(self):
        self.assertInvalid("--duration", duration=0)
        self.assertInvalid("--max-duration", max_duration=0)
        exc = self.assertInvalid("--duration", duration=7200.0)
        self.assertIn("--max-duration", str(exc))

    def test_shares(self):
        self.assertInvalid("--keepalive-share", keepalive_share=1.5)
        self.assertInvalid("--slow-share", slow_share=-0.1)
        self.assertInvalid("--slow-path", slow_share=0.1)
        self.assertInvalid("--slow-path", slow_share=0.1, slow_path="slow")

    def test_limits(self):
        self.assertInvalid("--timeout", timeout=0)
        self.assertInvalid("--max-outstanding", max_outstanding=0)
        self.assertInvalid("--hold-threshold", hold_threshold=0)

    def test_min_requests(self):
        _settings(min_requests=10).validate()
        self.assertInvalid("--min-requests", min_requests=-1)
        exc = self.assertInvalid("--min-requests", min_requests=11)
        self.assertIn("the 10 requests --rate schedules in 1.0 s", str(exc))

    def test_request_count(self):
        self.assertEqual(10, _settings().request_count)
        self.assertEqual(4, _settings(rate=3.0, duration=1.1).request_count)

    def test_run_seconds(self):
        self.assertEqual(1.0, _settings().run_seconds)
        self.assertEqual(60.0, _settings(duration=None,
                                         max_duration=60.0).run_seconds)


class TestKeystoneValidate(base.BaseTestCase):

    KEYSTONE = dict(urls=(), keystone="http://127.0.0.1:5000/v3",
                    os_username="probe", os_password="secret",
                    os_project_name="service")

    assertInvalid = TestValidate.assertInvalid

    def assertKeystoneInvalid(self, option, **overrides):
        return self.assertInvalid(option, **dict(self.KEYSTONE, **overrides))

    def test_keystone_valid(self):
        probe_settings = _settings(**self.KEYSTONE)
        probe_settings.validate()
        self.assertTrue(probe_settings.keystone_mode)
        self.assertFalse(_settings().keystone_mode)
        _settings(**dict(self.KEYSTONE, keystone="https://h/identity",
                         keystone_validate_share=1.0)).validate()

    def test_url_or_keystone(self):
        exc = self.assertInvalid("--url", urls=())
        self.assertIn("--keystone", str(exc))
        self.assertKeystoneInvalid("--url", urls=["http://127.0.0.1/"])

    def test_keystone_url(self):
        exc = self.assertKeystoneInvalid("--keystone",
                                         keystone="ftp://127.0.0.1/")
        self.assertIn("ftp://127.0.0.1/", str(exc))
        self.assertKeystoneInvalid("--keystone", keystone="127.0.0.1:5000")

    def test_validate_share(self):
        self.assertKeystoneInvalid("--keystone-validate-share",
                                   keystone_validate_share=1.5)
        self.assertKeystoneInvalid("--keystone-validate-share",
                                   keystone_validate_share=-0.1)

    def test_no_slow_requests(self):
        self.assertKeystoneInvalid("--slow-share", slow_share=0.1,
                                   slow_path="/slow")

    def test_credentials_are_required(self):
        self.assertKeystoneInvalid("--os-username", os_username=None)
        self.assertKeystoneInvalid("--os-password", os_password=None)
        self.assertKeystoneInvalid("--os-project-name", os_project_name=None)

    def test_rest_is_checked_as_usual(self):
        self.assertKeystoneInvalid("--rate", rate=0)
        self.assertKeystoneInvalid("--timeout", timeout=0)


class TestHeatValidate(base.BaseTestCase):

    HEAT = dict(TestKeystoneValidate.KEYSTONE, heat_mode=True)

    assertInvalid = TestValidate.assertInvalid

    def assertHeatInvalid(self, option, **overrides):
        return self.assertInvalid(option, **dict(self.HEAT, **overrides))

    def test_heat_valid(self):
        probe_settings = _settings(**self.HEAT)
        probe_settings.validate()
        self.assertEqual("heat", probe_settings.mode)
        self.assertFalse(probe_settings.keystone_mode)
        self.assertTrue(probe_settings.authenticates)
        self.assertEqual("keystone",
                         _settings(**TestKeystoneValidate.KEYSTONE).mode)
        self.assertEqual("http", _settings().mode)
        _settings(**dict(self.HEAT, heat_stack_list_share=0.0,
                         heat_validate_share=0.0, heat_cfn_share=1.0,
                         heat_token_share=0.0,
                         heat_interface="internal")).validate()
        self.assertEqual("heat", _settings(**dict(
            self.HEAT, keystone=None, os_cloud="lab")).mode)

    def test_heat_needs_keystone_or_cloud(self):
        exc = self.assertHeatInvalid("--heat", keystone=None)
        self.assertIn("--keystone or --os-cloud", str(exc))

    def test_no_urls(self):
        self.assertHeatInvalid("--url", urls=["http://127.0.0.1/"])

    def test_shares_add_up_to_one(self):
        exc = self.assertHeatInvalid("--heat-token-share",
                                     heat_token_share=0.3)
        self.assertIn("--heat-stack-list-share, --heat-validate-share, "
                      "--heat-cfn-share, --heat-token-share must add up to "
                      "1 (got 1.1)", str(exc))
        _settings(**dict(self.HEAT, heat_stack_list_share=0.1,
                         heat_validate_share=0.2, heat_cfn_share=0.3,
                         heat_token_share=0.4)).validate()

    def test_each_share_is_a_fraction(self):
        self.assertHeatInvalid("--heat-cfn-share", heat_cfn_share=-0.2,
                               heat_stack_list_share=0.8)
        self.assertHeatInvalid("--heat-stack-list-share",
                               heat_stack_list_share=1.4,
                               heat_validate_share=-0.4)

    def test_interface(self):
        exc = self.assertHeatInvalid("--heat-interface",
                                     heat_interface="admin")
        self.assertIn("public, internal", str(exc))

    def test_heat_options_need_heat(self):
        self.assertInvalid("--heat-cfn-share", heat_cfn_share=0.0)
        self.assertInvalid("--heat-interface", heat_interface="internal",
                           **TestKeystoneValidate.KEYSTONE)

    def test_no_slow_requests(self):
        self.assertHeatInvalid("--slow-share", slow_share=0.1,
                               slow_path="/slow")

    def test_credentials_are_required(self):
        exc = self.assertHeatInvalid("--os-password", os_password=None)
        self.assertIn("in the heat mode", str(exc))

    def test_shares_are_described(self):
        self.assertEqual(
            "heat-stack-list 0.4, heat-validate 0.2, cfn-list-stacks 0.2, "
            "token 0.2 (validate share 0.5); public endpoints",
            _settings(**self.HEAT).describe_heat_shares())


class TestPhases(base.BaseTestCase):

    def test_parse(self):
        self.assertEqual(phases.Phase("upgrade", 1718000000.5),
                         phases.parse_phase("upgrade=1718000000.5"))

    def test_parse_errors_name_the_option(self):
        for text in ("upgrade", "=12", "upgrade=soon"):
            exc = self.assertRaises(exceptions.ProbeError,
                                    phases.parse_phase, text)
            self.assertIn("--phase", str(exc))
            self.assertIn("NAME=EPOCH", str(exc))

    def test_read_phase_file(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            "phases")
        with open(path, "w") as phase_file:
            phase_file.write("# marks\nb=20\n\na=10\n")
        self.assertEqual([phases.Phase("b", 20.0), phases.Phase("a", 10.0)],
                         phases.read_phase_file(path))
        self.assertEqual([phases.Phase("a", 10.0), phases.Phase("b", 20.0)],
                         phases.sort_phases(phases.read_phase_file(path)))

    def test_missing_phase_file_means_no_phases(self):
        self.assertEqual([], phases.read_phase_file("/nonexistent/phases"))

    def test_bad_phase_file_line_names_the_file(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            "phases")
        with open(path, "w") as phase_file:
            phase_file.write("upgrade at noon\n")
        exc = self.assertRaises(exceptions.ProbeError,
                                phases.read_phase_file, path)
        self.assertIn(path, str(exc))
