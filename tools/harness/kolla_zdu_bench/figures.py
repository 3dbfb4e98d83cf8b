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
"""Figures computed from the bench's request results."""

import dataclasses
import math
import typing


def percentile(values, fraction):
    """Return the nearest-rank percentile of ``values`` (0 if empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def outcome(result):
    """Classify a result: ok, 503+RA, 503, 5xx, 4xx or the error kind."""
    if result.error:
        return result.error
    if 200 <= result.status < 300:
        return 'ok'
    if result.status == 503:
        return '503+RA' if result.retry_after else '503'
    return '%dxx' % (result.status // 100)


@dataclasses.dataclass
class Figures:
    """Counts and latencies of a set of results."""

    sent: int = 0
    counts: typing.Dict[str, int] = dataclasses.field(default_factory=dict)
    ok_p50: float = 0.0
    ok_p99: float = 0.0
    ok_max: float = 0.0
    ra_min: float = 0.0
    ra_max: float = 0.0
    other_max: float = 0.0

    @property
    def failed(self):
        """Return the results that are neither 2xx nor 503+Retry-After."""
        return sum(n for kind, n in self.counts.items()
                   if kind not in ('ok', '503+RA'))


def figures(results):
    """Return the :class:`Figures` of ``results``."""
    counts = {}
    for result in results:
        kind = outcome(result)
        counts[kind] = counts.get(kind, 0) + 1
    ok = [r.latency for r in results if outcome(r) == 'ok']
    ra = [r.latency for r in results if outcome(r) == '503+RA']
    other = [r.latency for r in results
             if outcome(r) not in ('ok', '503+RA')]
    return Figures(sent=len(results), counts=counts,
                   ok_p50=percentile(ok, 0.5), ok_p99=percentile(ok, 0.99),
                   ok_max=max(ok, default=0.0), ra_min=min(ra, default=0.0),
                   ra_max=max(ra, default=0.0),
                   other_max=max(other, default=0.0))


def started_between(results, start, end):
    """Return the results whose request left in ``[start, end]``."""
    return [r for r in results if start <= r.start <= end]


def in_flight_at(results, moment):
    """Return the results whose request was in progress at ``moment``."""
    return [r for r in results if r.start < moment < r.end]


def format_counts(counts):
    """Return ``kind=n`` pairs, ok first."""
    order = sorted(counts, key=lambda kind: (kind != 'ok', kind))
    return ' '.join('%s=%d' % (kind, counts[kind]) for kind in order)
