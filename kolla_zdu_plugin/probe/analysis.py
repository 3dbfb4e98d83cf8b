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
"""The figures of a probe report, computed from its records.

Conventions, also written into each report:

* failed = a 5xx answer, a connection error or a timeout; a 4xx answer is
  counted apart and is not a failure of availability, and neither is a
  request skipped because too many were outstanding; in the keystone and
  heat modes a rejection of credentials the probe holds is a failure too
  (``token_rejected``, see :data:`record.REJECTED_STATUSES`);
* a request belongs to a period or phase by its scheduled send time;
* latency figures cover plain requests answered with any HTTP status;
  requests to the slow path are summarised apart;
* "steady" is the time before the first phase mark or, with no phase, the
  first ``steady_seconds`` of the run; "during" is the rest;
* ``by_operation`` gives the counts and latencies of each operation of the
  keystone and heat modes apart; it is empty for plain GETs.
"""

import collections

from kolla_zdu_plugin.probe import phases as phases_mod
from kolla_zdu_plugin.probe import record
from kolla_zdu_plugin.probe import stats
from kolla_zdu_plugin.probe import windows

LATENCY_BASIS = ("plain requests answered with any HTTP status, "
                 "by scheduled send time; slow requests apart")
FAILURE_DEFINITION = ("HTTP 5xx, connection refused or reset, timeout or "
                      "other connection error; 4xx and skipped requests are "
                      "not failures, except a 401 or 404 to the validation "
                      "of a token the probe issued, a 401 of heat-api to a "
                      "request with the probe's token, or a 401 or 403 of "
                      "heat-api-cfn to a request signed with the probe's "
                      "EC2 credential (token_rejected)")
BEFORE_PHASES = "(before first phase)"


def summarise(settings, result):
    """Return the summary of a run as a JSON-ready dict.

    :param settings: the :class:`ProbeSettings` of the run, with its phases.
    :param result: the :class:`LoadResult` of the run.
    """
    records = result.records
    sent = [rec for rec in records if not rec.skipped]
    steady_end, steady_basis = steady_period_end(settings, result)
    return {
        "definitions": {"failed": FAILURE_DEFINITION,
                        "latency": LATENCY_BASIS},
        "totals": count_outcomes(records),
        "sender": sender_figures(settings, sent),
        "periods": {
            "steady": {"start": result.started_at, "end": steady_end,
                       "basis": steady_basis},
            "during": {"start": steady_end, "end": result.stopped_at},
        },
        "latency": {
            "plain": period_latencies(
                [rec for rec in sent if not rec.slow], steady_end),
            "slow": period_latencies(
                [rec for rec in sent if rec.slow], steady_end),
        },
        "held": held_requests(sent, settings.hold_threshold),
        "failure_windows": failure_windows(sent, settings.cluster_gap),
        "phases": phase_counts(records, settings.phases, result),
        "by_url": _counts_by(records, lambda rec: rec.url),
        "by_mode": _counts_by(records, lambda rec: rec.mode),
        "by_operation": operation_figures(records, steady_end),
    }


def count_outcomes(records):
    """Return how many records were sent, ok, failed, 4xx and skipped."""
    kinds = collections.Counter(rec.kind for rec in records if rec.failed)
    sent = sum(1 for rec in records if not rec.skipped)
    failed = sum(kinds.values())
    return {
        "scheduled": len(records),
        "sent": sent,
        "ok": sum(1 for rec in records if rec.ok),
        "failed": failed,
        "failed_percent": round(100.0 * failed / sent, 3) if sent else 0.0,
        "http_4xx": sum(1 for rec in records if rec.kind == "http_4xx"),
        "skipped": len(records) - sent,
        "failures_by_kind": dict(sorted(kinds.items())),
    }


def steady_period_end(settings, result):
    """Return when the steady state ends, and how that was decided."""
    if settings.phases:
        first = phases_mod.sort_phases(settings.phases)[0]
        return first.at, "before the first phase mark %r" % first.name
    return (result.started_at + settings.steady_seconds,
            "first %g s of the run (no phase given)" % settings.steady_seconds)


def sender_figures(settings, sent):
    """Return the requested and achieved send rates and the send lag."""
    times = [rec.sent for rec in sent]
    span = max(times) - min(times) if times else 0.0
    return {
        "requested_rate": settings.rate,
        "achieved_rate": round((len(times) - 1) / span, 3) if span else None,
        "send_lag": stats.latency_summary(
            rec.sent - rec.scheduled for rec in sent),
    }


def period_latencies(records, steady_end):
    """Return latency summaries overall, before and after steady_end."""
    answered = [rec for rec in records if rec.answered]
    return {
        "overall": stats.latency_summary(rec.latency for rec in answered),
        "steady": stats.latency_summary(
            rec.latency for rec in answered if rec.scheduled < steady_end),
        "during": stats.latency_summary(
            rec.latency for rec in answered if rec.scheduled >= steady_end),
    }


def held_requests(sent, threshold):
    """Return the plain requests whose outcome took over threshold seconds."""
    held = [rec for rec in sent
            if not rec.slow and rec.latency is not None
            and rec.latency > threshold]
    return {
        "threshold": threshold,
        "count": len(held),
        "ok": sum(1 for rec in held if rec.ok),
        "failed": sum(1 for rec in held if rec.failed),
        "max": max((rec.latency for rec in held), default=None),
    }


def failure_windows(sent, gap):
    """Return the failure clusters and the longest ones."""
    clusters = windows.failure_clusters(sent, gap)
    stretches = windows.failing_stretches(sent)
    return {
        "cluster_gap": gap,
        "cluster_count": len(clusters),
        "longest_cluster": windows.longest(clusters),
        "longest_failing_stretch": windows.longest(stretches),
        "clusters": clusters,
    }


def phase_counts(records, phases, result):
    """Return the outcome counts of each phase, in time order.

    The first entry covers the time before the first mark. With no phases
    the list is empty.
    """
    if not phases:
        return []
    ordered = phases_mod.sort_phases(phases)
    starts = [result.started_at] + [phase.at for phase in ordered]
    ends = starts[1:] + [max(result.stopped_at, starts[-1])]
    names = [BEFORE_PHASES] + [phase.name for phase in ordered]
    last = len(names) - 1
    segments = []
    for position, (name, start, end) in enumerate(zip(names, starts, ends)):
        members = [rec for rec in records
                   if (position == 0 or rec.scheduled >= start)
                   and (position == last or rec.scheduled < end)]
        segments.append(dict(name=name, start=start, end=end,
                             **count_outcomes(members)))
    return segments


def operation_figures(records, steady_end):
    """Return the counts and latencies of each operation.

    :returns: ``{"issue": {...}, "validate": {...}, ...}``, in
        :data:`record.OPERATIONS` order, with the keys of
        :func:`count_outcomes` and ``latency`` (see
        :func:`period_latencies`), for the operations the run made.
    """
    figures = {}
    for operation in record.OPERATIONS:
        members = [rec for rec in records if rec.operation == operation]
        if members:
            figures[operation] = dict(
                count_outcomes(members), latency=period_latencies(
                    [rec for rec in members if not rec.skipped],
                    steady_end))
    return figures


def _counts_by(records, key):
    groups = collections.defaultdict(list)
    for rec in records:
        groups[key(rec)].append(rec)
    return {name: count_outcomes(group) for name, group in groups.items()}
