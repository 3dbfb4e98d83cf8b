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
"""How request outcomes are classified."""

import http.client
import socket

from oslotest import base

from kolla_zdu_plugin.probe import record


class TestKindOfStatus(base.BaseTestCase):

    def test_success_and_redirect_have_no_kind(self):
        self.assertIsNone(record.kind_of_status(200))
        self.assertIsNone(record.kind_of_status(302))

    def test_client_and_server_errors(self):
        self.assertEqual(record.HTTP_4XX, record.kind_of_status(404))
        self.assertEqual(record.HTTP_5XX, record.kind_of_status(502))

    def test_rejected_credentials_by_operation(self):
        cases = [
            (record.VALIDATE, 401, record.TOKEN_REJECTED),
            (record.VALIDATE, 404, record.TOKEN_REJECTED),
            (record.VALIDATE, 403, record.HTTP_4XX),
            (record.ISSUE, 401, record.HTTP_4XX),
            (record.HEAT_STACK_LIST, 401, record.TOKEN_REJECTED),
            (record.HEAT_STACK_LIST, 403, record.HTTP_4XX),
            (record.HEAT_STACK_LIST, 404, record.HTTP_4XX),
            (record.HEAT_VALIDATE, 401, record.TOKEN_REJECTED),
            (record.HEAT_VALIDATE, 400, record.HTTP_4XX),
            (record.CFN_LIST_STACKS, 403, record.TOKEN_REJECTED),
            (record.CFN_LIST_STACKS, 401, record.TOKEN_REJECTED),
            (record.CFN_LIST_STACKS, 400, record.HTTP_4XX),
            (record.CFN_LIST_STACKS, 503, record.HTTP_5XX),
            (None, 401, record.HTTP_4XX),
        ]
        for operation, status, kind in cases:
            self.assertEqual(kind, record.kind_of_status(status, operation),
                             (operation, status))


class TestKindOfError(base.BaseTestCase):

    def test_kinds(self):
        cases = [
            (ConnectionRefusedError(), record.CONN_REFUSED),
            (ConnectionResetError(), record.CONN_RESET),
            (BrokenPipeError(), record.CONN_RESET),
            (http.client.RemoteDisconnected("closed"), record.CONN_RESET),
            (http.client.IncompleteRead(b"", 10), record.CONN_RESET),
            (socket.timeout("timed out"), record.TIMEOUT),
            (socket.gaierror("no such host"), record.OTHER),
            (http.client.BadStatusLine("junk"), record.OTHER),
        ]
        for exc, kind in cases:
            self.assertEqual(kind, record.kind_of_error(exc), repr(exc))

    def test_describe_error_is_short(self):
        text = record.describe_error(ValueError("x" * 1000))
        self.assertTrue(text.startswith("ValueError: x"))
        self.assertLessEqual(len(text), 200)


class TestRecordOutcome(base.BaseTestCase):

    def _record(self, kind, status=None):
        return record.RequestRecord(0, "http://h/", record.FRESH, False,
                                    1.0, 1.0, 0.1, status, kind)

    def test_4xx_is_answered_not_failed(self):
        rec = self._record(record.HTTP_4XX, 404)
        self.assertTrue(rec.answered)
        self.assertFalse(rec.failed)
        self.assertFalse(rec.ok)

    def test_5xx_is_answered_and_failed(self):
        rec = self._record(record.HTTP_5XX, 503)
        self.assertTrue(rec.answered)
        self.assertTrue(rec.failed)

    def test_skipped_is_not_failed(self):
        rec = self._record(record.CLIENT_OVERLOAD)
        self.assertTrue(rec.skipped)
        self.assertFalse(rec.failed)
        self.assertFalse(rec.answered)

    def test_row_follows_fields(self):
        rec = self._record(None, 200)
        self.assertEqual(dict(zip(record.FIELDS, record.record_to_row(rec))),
                         {"index": 0, "url": "http://h/", "mode": "fresh",
                          "slow": False, "scheduled": 1.0, "sent": 1.0,
                          "latency": 0.1, "status": 200, "kind": None,
                          "error": None, "operation": None})
