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
"""The keystone mode against a fake Keystone on 127.0.0.1."""

import collections
import json
import os
import time
from unittest import mock

import fixtures
from oslotest import base

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin import probe
from kolla_zdu_plugin.probe import keystone
from kolla_zdu_plugin.probe import load
from kolla_zdu_plugin.probe import record
from kolla_zdu_plugin.probe import text
from tests.unit.probe import fake_keystone
from tests.unit.probe import loopback


def _settings(url, **overrides):
    values = dict(urls=(), rate=40.0, duration=0.5, timeout=2.0,
                  progress_interval=0, keystone=url,
                  os_username=fake_keystone.USERNAME,
                  os_password=fake_keystone.PASSWORD,
                  os_project_name=fake_keystone.PROJECT)
    values.update(overrides)
    return probe.ProbeSettings(**values)


def _outcomes(records):
    return collections.Counter((rec.operation, rec.kind) for rec in records)


class _KeystoneTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.keystone = self.useFixture(fake_keystone.FakeKeystone())

    def run_probe(self, **overrides):
        return probe.run(_settings(self.keystone.url, **overrides))

    def after_preflight(self, action):
        """Call action once the pre-flight check has passed."""
        real = keystone.KeystoneRequester.preflight

        def preflight(requester):
            real(requester)
            action()
        self.useFixture(fixtures.MockPatchObject(
            keystone.KeystoneRequester, "preflight", preflight))


class TestKeystoneLoad(_KeystoneTest):

    def test_issue_and_validate_alternate(self):
        report = self.run_probe()
        self.assertEqual({(record.ISSUE, None): 10,
                          (record.VALIDATE, None): 10},
                         _outcomes(report.records))
        self.assertEqual([record.ISSUE, record.VALIDATE] * 2,
                         [rec.operation for rec in report.records[:4]])
        self.assertEqual({201}, {rec.status for rec in report.records
                                 if rec.operation == record.ISSUE})
        self.assertEqual({"POST": 11, "GET": 11}, self.keystone.requests)

    def test_summary_per_operation(self):
        report = self.run_probe(keystone_validate_share=0.25)
        by_operation = report.summary["by_operation"]
        self.assertEqual((15, 5), (by_operation["issue"]["sent"],
                                   by_operation["validate"]["sent"]))
        self.assertEqual(5, by_operation["validate"]["ok"])
        self.assertEqual(15, by_operation["issue"]["latency"]["overall"]
                         ["count"])
        self.assertEqual(20, report.summary["totals"]["ok"])
        summary = text.format_summary(report)
        self.assertIn("to Keystone %s (validate share 0.25)"
                      % self.keystone.url, summary)
        self.assertRegex(summary, r"issue +15 +15 +0 +0 ")
        self.assertRegex(summary, r"validate +5 +5 +0 +0 ")

    def test_endpoint_with_v3(self):
        report = self.run_probe(keystone=self.keystone.url + "/v3/")
        self.assertEqual(20, report.summary["totals"]["ok"])
        self.assertEqual({self.keystone.url + "/v3"},
                         {rec.url for rec in report.records})

    def test_keepalive_requests_reuse_the_thread_connection(self):
        settings = _settings(self.keystone.url)
        settings.validate()
        requester = keystone.requester_for(settings)
        self.addCleanup(requester.close)
        requester.preflight()
        before = self.keystone.connections
        statuses = [requester.send(operation, True, time.monotonic() + 10.0)
                    for operation in [record.ISSUE, record.VALIDATE] * 4]
        self.assertEqual([201, 200] * 4, statuses)
        self.assertEqual(before + 1, self.keystone.connections)

    def test_fresh_connections_are_not_reused(self):
        self.keystone.server.echo_close = False
        report = self.run_probe(keepalive_share=0.0)
        self.assertEqual(20, report.summary["totals"]["ok"])
        # One connection for the pre-flight pair, then one per request.
        self.assertEqual(1 + 20, self.keystone.connections)

    def test_503_is_a_failure_and_not_retried(self):
        self.after_preflight(lambda: setattr(self.keystone.server, "status",
                                             503))
        report = self.run_probe()
        self.assertEqual({(record.ISSUE, record.HTTP_5XX): 10,
                          (record.VALIDATE, record.HTTP_5XX): 10},
                         _outcomes(report.records))
        self.assertEqual(20, report.summary["totals"]["failed"])
        self.assertEqual({"POST": 11, "GET": 11}, self.keystone.requests)

    def test_connection_refused_is_a_failure(self):
        self.after_preflight(self.keystone.stop)
        report = self.run_probe(keepalive_share=0.0)
        self.assertEqual({(record.ISSUE, record.CONN_REFUSED): 10,
                          (record.VALIDATE, record.CONN_REFUSED): 10},
                         _outcomes(report.records))
        self.assertIn("ConnectionRefusedError", report.records[0].error)

    def test_reset_is_a_failure(self):
        self.after_preflight(lambda: setattr(self.keystone.server, "reset",
                                             True))
        report = self.run_probe(duration=0.25)
        self.assertEqual({record.CONN_RESET: 10},
                         collections.Counter(rec.kind
                                             for rec in report.records))

    def test_timeout_is_a_failure(self):
        self.after_preflight(lambda: setattr(self.keystone.server, "delay",
                                             1.0))
        report = self.run_probe(duration=0.1, rate=20.0, timeout=0.3)
        self.assertEqual({record.TIMEOUT: 2},
                         collections.Counter(rec.kind
                                             for rec in report.records))
        self.assertGreaterEqual(min(rec.latency for rec in report.records),
                                0.3)

    def test_404_on_validate_is_a_failure(self):
        self.after_preflight(lambda: setattr(self.keystone.server,
                                             "get_status", 404))
        report = self.run_probe()
        self.assertEqual({(record.ISSUE, None): 10,
                          (record.VALIDATE, record.TOKEN_REJECTED): 10},
                         _outcomes(report.records))
        totals = report.summary["totals"]
        self.assertEqual((10, 0), (totals["failed"], totals["http_4xx"]))
        self.assertEqual({"token_rejected": 10},
                         report.summary["by_operation"]["validate"]
                         ["failures_by_kind"])
        self.assertIn("validate failures by kind: token_rejected 10",
                      text.format_summary(report))

    def test_forgotten_tokens_are_rejected(self):
        self.after_preflight(self.keystone.forget_tokens)
        report = self.run_probe(keystone_validate_share=1.0, duration=0.25)
        self.assertEqual({(record.VALIDATE, record.TOKEN_REJECTED): 10},
                         _outcomes(report.records))
        self.assertEqual({401}, {rec.status for rec in report.records})

    def test_other_4xx_on_validate_is_not_a_failure(self):
        self.after_preflight(lambda: setattr(self.keystone.server,
                                             "get_status", 403))
        report = self.run_probe()
        totals = report.summary["totals"]
        self.assertEqual((0, 10), (totals["failed"], totals["http_4xx"]))

    def test_report_round_trip_hides_the_password(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(tmp, "probe.json")
        self.run_probe(duration=0.1).write(path)
        with open(path) as report_file:
            content = report_file.read()
        self.assertNotIn(fake_keystone.PASSWORD, content)
        self.assertEqual("***", json.loads(content)["settings"]
                         ["os_password"])
        loaded = probe.load_report(path)
        self.assertEqual([record.ISSUE, record.VALIDATE] * 2,
                         [rec.operation for rec in loaded.records])
        self.assertEqual(2, loaded.summary["by_operation"]["issue"]["ok"])


class TestPreflight(_KeystoneTest):

    def assertPreflightFails(self, *expected, **overrides):
        exc = self.assertRaises(exceptions.ProbeError, self.run_probe,
                                **overrides)
        for text_part in expected:
            self.assertIn(text_part, str(exc))
        return exc

    def test_wrong_password(self):
        self.assertPreflightFails(
            "HTTP 401", "check --os-username/--os-password",
            "user 'probe'", self.keystone.url + "/v3", os_password="wrong")
        self.assertEqual({"POST": 1, "GET": 0}, self.keystone.requests)

    def test_refused_validation(self):
        self.keystone.server.get_status = 403
        self.assertPreflightFails("HTTP 403", "refused to validate",
                                  "identity:validate_token")
        self.assertEqual({"POST": 1, "GET": 1}, self.keystone.requests)

    def test_keystone_unavailable(self):
        self.keystone.server.status = 503
        self.assertPreflightFails("HTTP 503", "Service Unavailable")

    def test_connection_refused(self):
        url = loopback.closed_port_url().rstrip("/")
        self.assertPreflightFails("cannot issue a token", url + "/v3",
                                  "ConnectionRefusedError", "--keystone",
                                  keystone=url)

    def test_not_an_identity_endpoint(self):
        self.assertPreflightFails("HTTP 404", "check --keystone",
                                  keystone=self.keystone.url + "/identity")

    def test_no_load_after_a_failed_preflight(self):
        self.keystone.server.status = 503
        with mock.patch.object(load._Sender, "_dispatch") as dispatch:
            self.assertRaises(exceptions.ProbeError, self.run_probe)
        dispatch.assert_not_called()


class TestOperationOf(base.BaseTestCase):

    def operations(self, share, count=8):
        return "".join(keystone.operation_at(index, share)[0]
                       for index in range(count))

    def test_shares(self):
        self.assertEqual("iiiiiiii", self.operations(0.0))
        self.assertEqual("vvvvvvvv", self.operations(1.0))
        self.assertEqual("iviviviv", self.operations(0.5))
        self.assertEqual("iiiviiiv", self.operations(0.25))
        self.assertEqual(30, self.operations(0.3, 100).count("v"))
