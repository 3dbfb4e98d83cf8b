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
"""The sender against loopback servers started by each test."""

import collections
import threading
import time

import fixtures
from oslotest import base

from kolla_zdu_plugin.probe import connections
from kolla_zdu_plugin.probe import load
from kolla_zdu_plugin.probe import record
from kolla_zdu_plugin.probe import settings as settings_mod
from tests.unit.probe import loopback


def _settings(url, **overrides):
    values = dict(urls=[url], rate=50.0, duration=0.4, timeout=2.0,
                  progress_interval=0)
    values.update(overrides)
    probe_settings = settings_mod.ProbeSettings(**values)
    probe_settings.validate()
    return probe_settings


def _kinds(result):
    return collections.Counter(rec.kind for rec in result.records)


def _at_end_of_schedule(test, action):
    """Call action once the sender has scheduled its last request.

    The tests order events this way instead of timing them: what happens
    before the schedule ends, and what after, does not depend on how fast
    the machine is.
    """
    real = load._Sender._drain

    def drain(sender, deadline):
        action()
        return real(sender, deadline)

    test.useFixture(fixtures.MockPatchObject(load._Sender, "_drain", drain))


class TestSendLoad(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.server = self.useFixture(loopback.LoopbackServer())

    def test_all_ok(self):
        result = load.send_load(_settings(self.server.url()))
        self.assertEqual(list(range(20)),
                         [rec.index for rec in result.records])
        self.assertEqual({None: 20}, _kinds(result))
        self.assertEqual({200}, {rec.status for rec in result.records})
        self.assertEqual({record.FRESH, record.KEEPALIVE},
                         {rec.mode for rec in result.records})
        self.assertEqual(20, self.server.requests)
        self.assertEqual(load.STOPPED_AT_DURATION, result.stop_reason)

    def test_schedule_is_evenly_spaced(self):
        result = load.send_load(_settings(self.server.url()))
        gaps = [later.scheduled - earlier.scheduled for earlier, later
                in zip(result.records, result.records[1:])]
        for gap in gaps:
            self.assertAlmostEqual(0.02, gap, places=5)

    def test_keepalive_requests_all_succeed(self):
        result = load.send_load(_settings(self.server.url(),
                                          keepalive_share=1.0))
        self.assertEqual({None: 20}, _kinds(result))
        self.assertEqual({record.KEEPALIVE},
                         {rec.mode for rec in result.records})
        self.assertEqual(20, self.server.requests)

    def test_pool_reuses_a_connection_given_back(self):
        target = connections.Target(self.server.url())
        pool = connections.KeepAlivePool()
        self.addCleanup(pool.close)
        for _ in range(5):
            conn = pool.take(target, 10.0)
            answer = connections.fetch(conn, "/", time.monotonic() + 10.0,
                                       True)
            self.assertEqual((200, True), answer)
            pool.give_back(target, conn)
        self.assertEqual(5, self.server.requests)
        self.assertEqual(1, self.server.connections)

    def test_fresh_connections_are_not_reused(self):
        load.send_load(_settings(self.server.url(), keepalive_share=0.0))
        self.assertEqual(20, self.server.connections)

    def test_server_closing_after_each_answer(self):
        for path in ("/http10", "/eof"):
            result = load.send_load(_settings(self.server.url(path),
                                              duration=0.2))
            self.assertEqual({None: 10}, _kinds(result), path)

    def test_server_error_is_a_failure(self):
        result = load.send_load(_settings(self.server.url("/status/503")))
        self.assertEqual({record.HTTP_5XX: 20}, _kinds(result))
        self.assertTrue(all(rec.failed for rec in result.records))
        self.assertEqual({503}, {rec.status for rec in result.records})

    def test_client_error_is_not_a_failure(self):
        result = load.send_load(_settings(self.server.url("/status/404")))
        self.assertEqual({record.HTTP_4XX: 20}, _kinds(result))
        self.assertFalse(any(rec.failed for rec in result.records))

    def test_reset_connection(self):
        result = load.send_load(_settings(self.server.url("/reset")))
        self.assertEqual({record.CONN_RESET: 20}, _kinds(result))
        self.assertIsNone(result.records[0].status)
        self.assertIsNotNone(result.records[0].error)

    def test_idle_connection_closed_by_server_is_not_reused(self):
        # As urllib3 does, a pooled connection the server closed while it
        # was idle is noticed before reuse and replaced, so a keep-alive
        # timeout of the server is not counted as a failed request.
        result = load.send_load(_settings(self.server.url("/close"),
                                          keepalive_share=1.0))
        self.assertEqual({None: 20}, _kinds(result))

    def test_sender_does_not_wait_for_answers(self):
        # The server answers nothing until the whole schedule is out: a
        # sender that waited for answers would never get there.
        answered = []

        def release():
            answered.append(self.server.answers)
            self.server.release()

        _at_end_of_schedule(self, release)
        result = load.send_load(_settings(
            self.server.url("/hold"), rate=20.0, duration=1.0, timeout=30.0))
        self.assertEqual([0], answered)
        self.assertEqual({None: 20}, _kinds(result))

    def test_timeout(self):
        self.addCleanup(self.server.release)
        result = load.send_load(_settings(
            self.server.url("/hold"), rate=10.0, duration=0.2, timeout=0.3))
        self.assertEqual({record.TIMEOUT: 2}, _kinds(result))
        for rec in result.records:
            self.assertGreaterEqual(rec.latency, 0.3)

    def test_outstanding_cap_records_skipped_requests(self):
        # Nothing is answered before the schedule ends, so the first four
        # requests hold every slot and the other sixteen are skipped.
        _at_end_of_schedule(self, self.server.release)
        result = load.send_load(_settings(
            self.server.url("/hold"), rate=40.0, duration=0.5,
            max_outstanding=4, timeout=30.0))
        self.assertEqual({None: 4, record.CLIENT_OVERLOAD: 16},
                         _kinds(result))
        self.assertEqual(4, self.server.requests)
        skipped = [rec for rec in result.records if rec.skipped]
        self.assertTrue(all(rec.sent is None for rec in skipped))
        self.assertEqual(list(range(20)),
                         [rec.index for rec in result.records])

    def test_stop_event_ends_an_open_ended_run(self):
        stop = threading.Event()
        stop.set()
        result = load.send_load(
            _settings(self.server.url(), duration=None, max_duration=5.0),
            stop=stop)
        self.assertEqual(load.STOPPED_BY_REQUEST, result.stop_reason)
        self.assertEqual([], result.records)

    def test_stop_event_waits_for_min_requests(self):
        stop = threading.Event()
        stop.set()
        result = load.send_load(
            _settings(self.server.url(), duration=None, max_duration=5.0,
                      min_requests=7),
            stop=stop)
        self.assertEqual(load.STOPPED_BY_REQUEST, result.stop_reason)
        self.assertEqual(list(range(7)),
                         [rec.index for rec in result.records])
        self.assertEqual({None: 7}, _kinds(result))

    def test_stop_event_set_during_the_run_still_sends_min_requests(self):
        # The first progress report, at request 1 at the latest, sets stop.
        stop = threading.Event()
        result = load.send_load(
            _settings(self.server.url(), rate=100.0, duration=None,
                      max_duration=5.0, min_requests=30,
                      progress_interval=0.01),
            stop=stop, progress=lambda _progress: stop.set())
        self.assertEqual(load.STOPPED_BY_REQUEST, result.stop_reason)
        self.assertEqual(30, len(result.records))

    def test_max_duration_ends_an_open_ended_run(self):
        result = load.send_load(
            _settings(self.server.url(), duration=None, max_duration=0.2))
        self.assertEqual(load.STOPPED_AT_MAX_DURATION, result.stop_reason)
        self.assertEqual(10, len(result.records))

    def test_progress_is_reported(self):
        seen = []
        load.send_load(_settings(self.server.url(), progress_interval=0.1),
                       progress=seen.append)
        self.assertGreaterEqual(len(seen), 2)
        self.assertGreater(seen[-1].sent, seen[0].sent)

    def test_several_urls_round_robin(self):
        other = self.server.url("/status/404")
        result = load.send_load(_settings(
            self.server.url(), urls=[self.server.url(), other],
            duration=0.2))
        self.assertEqual([self.server.url(), other] * 5,
                         [rec.url for rec in result.records])


class TestRefusedPort(base.BaseTestCase):

    def test_refused_connection(self):
        result = load.send_load(_settings(loopback.closed_port_url()))
        self.assertEqual({record.CONN_REFUSED: 20}, _kinds(result))
