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
"""The open-loop sender: requests leave at t0 + i / rate, whatever happens.

The scheduling thread never waits for an answer. It hands each request to a
worker thread, and when ``max_outstanding`` requests are already in flight
it records the new one as skipped (``client_overload``) instead of delaying
the schedule. Each request has a total deadline of ``timeout`` seconds, and
the run waits at most that long (plus a margin) for the last answers.

The stop event is honoured only from request ``min_requests`` on, so a
stopped run has scheduled at least that many requests.

In the keystone mode each request issues or validates a token instead
(:mod:`keystone`), ``keystone_validate_share`` of them validating, spread
evenly over the schedule; a pre-flight issue and validation come first. In
the heat mode (:mod:`heat`) the requests list stacks, validate a template
or list stacks through the CloudFormation API, or issue or validate a
token, in the shares the settings give, after a pre-flight of each.
"""

import collections
import dataclasses
import functools
import logging
import math
import random
import threading
import time
import typing

from kolla_zdu_plugin.probe import connections
from kolla_zdu_plugin.probe import heat
from kolla_zdu_plugin.probe import keystone
from kolla_zdu_plugin.probe import record
from kolla_zdu_plugin.probe import workers

LOG = logging.getLogger(__name__)

DRAIN_MARGIN = 1.0
ABANDONED = "still outstanding when the probe stopped"

STOPPED_AT_DURATION = "duration"
STOPPED_BY_REQUEST = "stop requested"
STOPPED_AT_MAX_DURATION = "max duration"

_Plan = collections.namedtuple(
    "_Plan", ["index", "target", "keepalive", "slow", "scheduled",
              "operation"])


@dataclasses.dataclass(frozen=True)
class Progress:
    """Counters of a run in progress."""

    elapsed: float
    sent: int
    ok: int
    failed: int
    http_4xx: int
    skipped: int
    outstanding: int


@dataclasses.dataclass(frozen=True)
class LoadResult:
    """Every request of a run, in schedule order, and when the run ran."""

    records: typing.List[record.RequestRecord]
    started_at: float
    stopped_at: float
    finished_at: float
    stop_reason: str


def send_load(settings, stop=None, progress=None):
    """Send the load settings describe and return a :class:`LoadResult`.

    :param settings: a validated :class:`ProbeSettings`.
    :param stop: a ``threading.Event`` that ends the run early when set.
    :param progress: called with a :class:`Progress` every
        ``settings.progress_interval`` seconds.
    :raises ProbeError: when the pre-flight check of the keystone or heat
        mode fails.
    """
    return _Sender(settings, stop or threading.Event(), progress).run()


class _Clock:
    """Monotonic time for scheduling, mapped to epoch seconds for records."""

    def __init__(self):
        self.epoch0 = time.time()
        self.mono0 = time.monotonic()

    def epoch(self, mono):
        return round(self.epoch0 + (mono - self.mono0), 6)


class _Sender:

    def __init__(self, settings, stop, on_progress):
        self._settings = settings
        self._stop = stop
        self._on_progress = on_progress
        self._requester = requester_for(settings)
        self._targets = self._make_targets(settings)
        self._random = random.Random(settings.seed)
        self._pool = connections.KeepAlivePool()
        self._workers = workers.WorkerPool(settings.max_outstanding)
        self._slots = threading.BoundedSemaphore(settings.max_outstanding)
        self._done = threading.Condition()
        self._in_flight = {}
        self._records = []
        self._counts = collections.Counter()
        self._closed = False
        self._clock = None

    def _make_targets(self, settings):
        if self._requester is not None:
            return [self._requester]
        ssl_context = connections.make_ssl_context(settings.insecure)
        return [connections.Target(url, settings.slow_path, ssl_context)
                for url in settings.urls]

    def run(self):
        settings = self._settings
        if self._requester is not None:
            self._requester.preflight()
        self._clock = clock = _Clock()
        next_progress = clock.mono0 + settings.progress_interval
        if settings.progress_interval <= 0 or self._on_progress is None:
            next_progress = math.inf
        reason = STOPPED_AT_DURATION
        if settings.duration is None:
            reason = STOPPED_AT_MAX_DURATION
        for index in range(settings.request_count):
            scheduled = clock.mono0 + index / settings.rate
            if self._wait_until(scheduled,
                                stoppable=index >= settings.min_requests):
                reason = STOPPED_BY_REQUEST
                break
            self._dispatch(self._plan(index, scheduled))
            if time.monotonic() >= next_progress:
                next_progress += settings.progress_interval
                self._report_progress()
        stopped = time.monotonic()
        LOG.debug("probe stopped scheduling: %s", reason)
        self._drain(stopped + settings.timeout + DRAIN_MARGIN)
        records = sorted(self._records, key=lambda rec: rec.index)
        return LoadResult(records, clock.epoch(clock.mono0),
                          clock.epoch(stopped),
                          clock.epoch(time.monotonic()), reason)

    def _wait_until(self, moment, stoppable):
        """Sleep until moment; return True if stoppable and stop was set."""
        while not (stoppable and self._stop.is_set()):
            left = moment - time.monotonic()
            if left <= 0:
                return False
            if stoppable:
                self._stop.wait(left)
            else:
                time.sleep(left)
        return True

    def _plan(self, index, scheduled):
        slow = self._random.random() < self._settings.slow_share
        keepalive = self._random.random() < self._settings.keepalive_share
        target = self._targets[index % len(self._targets)]
        operation = None
        if self._requester is not None:
            operation = self._requester.operation_for(index)
        return _Plan(index, target, keepalive, slow, scheduled, operation)

    def _dispatch(self, plan):
        if not self._slots.acquire(blocking=False):
            self._add(self._record(plan, None, None, None,
                                   record.CLIENT_OVERLOAD, None))
            return
        with self._done:
            self._in_flight[plan.index] = (plan, None)
            self._counts["sent"] += 1
        self._workers.submit(functools.partial(self._execute, plan))

    def _execute(self, plan):
        sent = time.monotonic()
        with self._done:
            self._in_flight[plan.index] = (plan, sent)
        status = error = None
        try:
            status = self._fetch(plan, sent + self._settings.timeout)
            kind = record.kind_of_status(status, plan.operation)
        except Exception as exc:
            kind = record.kind_of_error(exc)
            error = record.describe_error(exc)
        finally:
            self._slots.release()
        latency = time.monotonic() - sent
        self._add(self._record(plan, sent, latency, status, kind, error))

    def _fetch(self, plan, deadline):
        if plan.operation is not None:
            return self._requester.send(plan.operation, plan.keepalive,
                                        deadline)
        target = plan.target
        path = target.slow_path if plan.slow else target.path
        if not plan.keepalive:
            conn = target.new_connection(self._settings.timeout)
            try:
                return connections.fetch(conn, path, deadline, False)[0]
            finally:
                conn.close()
        conn = self._pool.take(target, self._settings.timeout)
        try:
            status, reusable = connections.fetch(conn, path, deadline, True)
        except Exception:
            conn.close()
            raise
        if reusable:
            self._pool.give_back(target, conn)
        else:
            conn.close()
        return status

    def _record(self, plan, sent, latency, status, kind, error):
        if plan.operation is None:
            url = plan.target.url
        else:
            url = self._requester.url_for(plan.operation)
        return record.RequestRecord(
            index=plan.index,
            url=url,
            mode=record.KEEPALIVE if plan.keepalive else record.FRESH,
            slow=plan.slow,
            scheduled=self._clock.epoch(plan.scheduled),
            sent=None if sent is None else self._clock.epoch(sent),
            latency=None if latency is None else round(latency, 6),
            status=status,
            kind=kind,
            error=error,
            operation=plan.operation)

    def _add(self, rec):
        with self._done:
            if self._closed:
                return
            self._in_flight.pop(rec.index, None)
            self._records.append(rec)
            self._counts[_counter_of(rec)] += 1
            if not self._in_flight:
                self._done.notify_all()

    def _drain(self, deadline):
        with self._done:
            self._done.wait_for(lambda: not self._in_flight,
                                max(0.0, deadline - time.monotonic()))
            abandoned = [self._abandoned_record(plan, sent)
                         for plan, sent in self._in_flight.values()]
            self._records.extend(abandoned)
            self._in_flight.clear()
            self._closed = True
        self._pool.close()
        if self._requester is not None:
            self._requester.close()
        self._workers.shutdown()
        if abandoned:
            LOG.warning("%d requests were still outstanding at the end and "
                        "are recorded as timeouts", len(abandoned))

    def _abandoned_record(self, plan, sent):
        sent = plan.scheduled if sent is None else sent
        return self._record(plan, sent, time.monotonic() - sent, None,
                            record.TIMEOUT, ABANDONED)

    def _report_progress(self):
        with self._done:
            counts = dict(self._counts)
            outstanding = len(self._in_flight)
        self._on_progress(Progress(
            elapsed=time.monotonic() - self._clock.mono0,
            sent=counts.get("sent", 0),
            ok=counts.get("ok", 0),
            failed=counts.get("failed", 0),
            http_4xx=counts.get(record.HTTP_4XX, 0),
            skipped=counts.get("skipped", 0),
            outstanding=outstanding))


def requester_for(settings):
    """Return what makes the requests of the keystone or heat mode, or None.

    A requester has ``preflight()``, ``operation_for(index)``,
    ``send(operation, keepalive, deadline)``, ``url_for(operation)`` and
    ``close()``; see :class:`keystone.KeystoneRequester`.
    """
    if settings.heat_mode:
        return heat.requester_for(settings)
    return keystone.requester_for(settings)


def _counter_of(rec):
    if rec.ok:
        return "ok"
    if rec.failed:
        return "failed"
    if rec.skipped:
        return "skipped"
    return rec.kind
