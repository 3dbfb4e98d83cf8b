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
"""The heat mode against fake Keystone, heat-api and heat-api-cfn servers."""

import collections
import json
import os
import time

import fixtures
from oslotest import base

from kolla_zdu_plugin import probe
from kolla_zdu_plugin.probe import heat
from kolla_zdu_plugin.probe import record
from kolla_zdu_plugin.probe import text
from tests.unit.probe import fake_heat
from tests.unit.probe import fake_keystone

STACKS = "GET " + fake_heat.STACKS_PATH
VALIDATE = "POST " + fake_heat.VALIDATE_PATH
CFN = "GET " + fake_heat.CFN_PATH
# The 20 requests of 0.5 s at 40/s with the default shares.
DEFAULT_COUNTS = {record.HEAT_STACK_LIST: 8, record.HEAT_VALIDATE: 4,
                  record.CFN_LIST_STACKS: 4, record.ISSUE: 2,
                  record.VALIDATE: 2}


def heat_settings(url, **overrides):
    """Return heat-mode ProbeSettings for the fake at url."""
    values = dict(urls=(), rate=40.0, duration=0.5, timeout=2.0,
                  progress_interval=0, keystone=url, heat_mode=True,
                  os_username=fake_keystone.USERNAME,
                  os_password=fake_keystone.PASSWORD,
                  os_project_name=fake_keystone.PROJECT)
    values.update(overrides)
    return probe.ProbeSettings(**values)


def _outcomes(records):
    return collections.Counter((rec.operation, rec.kind) for rec in records)


def _all_ok(*failing, kind=None):
    """Return the default outcomes, the failing operations of that kind."""
    return {(operation, kind if operation in failing else None): count
            for operation, count in DEFAULT_COUNTS.items()}


class HeatTestCase(base.BaseTestCase):
    """Fake heat servers, and probe runs against them."""

    def setUp(self):
        super().setUp()
        self.fake = self.useFixture(fake_heat.FakeHeat())

    def run_probe(self, **overrides):
        return probe.run(heat_settings(self.fake.url, **overrides))

    def after_preflight(self, action):
        """Call action once the pre-flight check has passed."""
        real = heat.HeatRequester.preflight

        def preflight(requester):
            real(requester)
            action()
        self.useFixture(fixtures.MockPatchObject(
            heat.HeatRequester, "preflight", preflight))

    def requester(self, **overrides):
        """Return a requester past its pre-flight, closed at cleanup."""
        settings = heat_settings(self.fake.url, **overrides)
        settings.validate()
        requester = heat.requester_for(settings)
        self.addCleanup(requester.close)
        requester.preflight()
        return requester


def _send(requester, operation, keepalive=True):
    return requester.send(operation, keepalive, time.monotonic() + 10.0)


class TestHeatLoad(HeatTestCase):

    def test_operations_in_their_shares(self):
        report = self.run_probe()
        self.assertEqual(_all_ok(), _outcomes(report.records))
        self.assertEqual({201}, {rec.status for rec in report.records
                                 if rec.operation == record.ISSUE})
        # One more of each heat operation: the pre-flight's.
        self.assertEqual({STACKS: 9, VALIDATE: 5}, self.fake.heat.calls)
        self.assertEqual({CFN: 5}, self.fake.cfn.calls)
        urls = {rec.operation: rec.url for rec in report.records}
        self.assertEqual(self.fake.heat_url(),
                         urls[record.HEAT_STACK_LIST])
        self.assertEqual(self.fake.heat_url(), urls[record.HEAT_VALIDATE])
        self.assertEqual(self.fake.cfn_url(), urls[record.CFN_LIST_STACKS])
        self.assertEqual(self.fake.url + "/v3", urls[record.ISSUE])

    def test_summary_per_operation(self):
        report = self.run_probe()
        by_operation = report.summary["by_operation"]
        self.assertEqual(list(record.OPERATIONS), list(by_operation))
        self.assertEqual(DEFAULT_COUNTS, {operation: figures["ok"]
                                          for operation, figures
                                          in by_operation.items()})
        self.assertEqual(8, by_operation[record.HEAT_STACK_LIST]["latency"]
                         ["overall"]["count"])
        summary = text.format_summary(report)
        self.assertIn("to heat via Keystone %s (heat-stack-list 0.4, "
                      "heat-validate 0.2, cfn-list-stacks 0.2, token 0.2 "
                      "(validate share 0.5); public endpoints)"
                      % self.fake.url, summary)
        self.assertRegex(summary, r"\n    heat-stack-list +8 +8 +0 +0 ")
        self.assertRegex(summary, r"\n    cfn-list-stacks +4 +4 +0 +0 ")
        self.assertRegex(summary, r"\n    issue {11} +2 +2 +0 +0 ")

    def test_503_is_recorded_under_its_operation(self):
        self.after_preflight(lambda: setattr(self.fake.heat, "get_status",
                                             503))
        report = self.run_probe()
        self.assertEqual(_all_ok(record.HEAT_STACK_LIST,
                                 kind=record.HTTP_5XX),
                         _outcomes(report.records))
        self.assertEqual({503}, {rec.status for rec in report.records
                                 if rec.kind == record.HTTP_5XX})
        # Not retried: one request each, and the pre-flight's.
        self.assertEqual({STACKS: 9, VALIDATE: 5}, self.fake.heat.calls)
        self.assertEqual(
            {record.HTTP_5XX: 8},
            report.summary["by_operation"][record.HEAT_STACK_LIST]
            ["failures_by_kind"])

    def test_503_of_validate_alone(self):
        self.after_preflight(lambda: setattr(self.fake.heat, "post_status",
                                             503))
        report = self.run_probe()
        self.assertEqual(_all_ok(record.HEAT_VALIDATE, kind=record.HTTP_5XX),
                         _outcomes(report.records))

    def test_reset_is_recorded_under_cfn(self):
        self.after_preflight(lambda: setattr(self.fake.cfn, "reset", True))
        report = self.run_probe()
        self.assertEqual(_all_ok(record.CFN_LIST_STACKS,
                                 kind=record.CONN_RESET),
                         _outcomes(report.records))

    def test_refused_is_recorded_under_cfn(self):
        self.after_preflight(lambda: self.fake.stop(self.fake.cfn))
        report = self.run_probe(keepalive_share=0.0)
        self.assertEqual(_all_ok(record.CFN_LIST_STACKS,
                                 kind=record.CONN_REFUSED),
                         _outcomes(report.records))
        refused = [rec for rec in report.records
                   if rec.kind == record.CONN_REFUSED]
        self.assertIn("ConnectionRefusedError", refused[0].error)

    def test_timeout_is_recorded_under_heat(self):
        self.after_preflight(lambda: setattr(self.fake.heat, "delay", 1.0))
        report = self.run_probe(rate=20.0, timeout=0.3)
        self.assertEqual(
            {(record.HEAT_STACK_LIST, record.TIMEOUT): 4,
             (record.HEAT_VALIDATE, record.TIMEOUT): 2,
             (record.CFN_LIST_STACKS, None): 2, (record.ISSUE, None): 1,
             (record.VALIDATE, None): 1},
            _outcomes(report.records))
        self.assertGreaterEqual(min(rec.latency for rec in report.records
                                    if rec.kind == record.TIMEOUT), 0.3)

    def test_401_of_heat_is_a_rejected_token(self):
        issued = []
        self.after_preflight(lambda: (
            setattr(self.fake.heat, "status", 401),
            issued.append(self.fake.issued)))
        report = self.run_probe()
        self.assertEqual(_all_ok(record.HEAT_STACK_LIST, record.HEAT_VALIDATE,
                                 kind=record.TOKEN_REJECTED),
                         _outcomes(report.records))
        # A session drops a rejected token: each of the 12 heat requests
        # authenticated anew, besides the 2 token issues.
        self.assertEqual(issued[0] + 12 + 2, self.fake.issued)

    def test_rejected_signature_is_a_rejected_token(self):
        self.after_preflight(self.fake.keystone.change_secrets)
        report = self.run_probe()
        self.assertEqual(_all_ok(record.CFN_LIST_STACKS,
                                 kind=record.TOKEN_REJECTED),
                         _outcomes(report.records))
        self.assertEqual({403}, {rec.status for rec in report.records
                                 if rec.kind == record.TOKEN_REJECTED})

    def test_internal_interface(self):
        report = self.run_probe(heat_interface="internal")
        self.assertEqual(_all_ok(), _outcomes(report.records))
        internal = fake_heat.INTERNAL
        self.assertEqual({"GET " + internal + fake_heat.STACKS_PATH: 9,
                          "POST " + internal + fake_heat.VALIDATE_PATH: 5},
                         self.fake.heat.calls)
        self.assertEqual({"GET " + internal + fake_heat.CFN_PATH: 5},
                         self.fake.cfn.calls)

    def test_fresh_connections_are_not_reused(self):
        self.fake.heat.echo_close = False
        self.fake.cfn.echo_close = False
        report = self.run_probe(keepalive_share=0.0)
        self.assertEqual(_all_ok(), _outcomes(report.records))
        # One connection for the pre-flight's requests, then one each.
        self.assertEqual(1 + 12, len(self.fake.heat.clients))
        self.assertEqual(1 + 4, len(self.fake.cfn.clients))

    def test_report_round_trip(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            "probe.json")
        self.run_probe(duration=0.25).write(path)
        with open(path) as report_file:
            content = report_file.read()
        for credential in self.fake.keystone.ec2_credentials():
            self.assertNotIn(credential["secret"], content)
        self.assertNotIn(fake_keystone.PASSWORD, content)
        self.assertTrue(json.loads(content)["settings"]["heat_mode"])
        loaded = probe.load_report(path)
        self.assertTrue(loaded.settings.heat_mode)
        self.assertEqual(4, loaded.summary["by_operation"]
                         [record.HEAT_STACK_LIST]["ok"])


class TestSessions(HeatTestCase):

    def test_a_session_reuses_its_token(self):
        requester = self.requester()
        issued = self.fake.issued
        statuses = [_send(requester, operation) for operation in
                    [record.HEAT_STACK_LIST, record.HEAT_VALIDATE] * 3]
        self.assertEqual([200] * 6, statuses)
        self.assertEqual(issued + 1, self.fake.issued)

    def test_a_token_near_its_expiry_is_replaced(self):
        # keystoneauth1 replaces a token valid for less than 120 s more.
        self.fake.keystone.token_seconds = 100
        requester = self.requester()
        issued = self.fake.issued
        statuses = [_send(requester, record.HEAT_STACK_LIST)
                    for _ in range(3)]
        self.assertEqual([200] * 3, statuses)
        self.assertEqual(issued + 3, self.fake.issued)

    def test_cfn_requests_need_no_token(self):
        requester = self.requester()
        issued = self.fake.issued
        self.assertEqual([200] * 3, [_send(requester, record.CFN_LIST_STACKS)
                                     for _ in range(3)])
        self.assertEqual(issued, self.fake.issued)

    def test_heat_answers_with_a_token_while_keystone_fails(self):
        requester = self.requester()
        self.assertEqual(200, _send(requester, record.HEAT_STACK_LIST))
        self.fake.keystone.status = 503
        self.assertEqual(200, _send(requester, record.HEAT_STACK_LIST))
        self.assertEqual(503, _send(requester, record.ISSUE))
        self.assertEqual(503, _send(requester, record.VALIDATE))

    def test_a_failed_authentication_fails_the_heat_request(self):
        requester = self.requester()
        calls = dict(self.fake.heat.calls)
        self.fake.keystone.status = 503
        self.assertEqual(503, _send(requester, record.HEAT_STACK_LIST))
        self.assertEqual(calls, self.fake.heat.calls)

    def test_keepalive_requests_reuse_the_thread_connections(self):
        requester = self.requester()
        heat_before = len(self.fake.heat.clients)
        cfn_before = len(self.fake.cfn.clients)
        for operation in [record.HEAT_STACK_LIST, record.HEAT_VALIDATE,
                          record.CFN_LIST_STACKS] * 3:
            self.assertEqual(200, _send(requester, operation))
        self.assertEqual(heat_before + 1, len(self.fake.heat.clients))
        self.assertEqual(cfn_before + 1, len(self.fake.cfn.clients))
