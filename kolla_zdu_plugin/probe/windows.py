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
"""When failures happened: clusters of failures and failing stretches.

Both take the sent records in schedule order, so a request counts at the
time it was due to be sent; requests the probe skipped are left out.
"""


def failure_clusters(records, gap):
    """Return the clusters of failures, in time order.

    A cluster runs from a failure to the last failure that follows it with
    no more than ``gap`` seconds between consecutive failures.

    :param records: sent records sorted by scheduled time.
    :returns: dicts with ``start`` and ``end`` (scheduled times of the first
        and last failure), ``seconds``, ``failures`` and ``requests`` (all
        requests scheduled from the first to the last failure).
    """
    failed = [pos for pos, rec in enumerate(records) if rec.failed]
    clusters = []
    first = 0
    for i in range(1, len(failed) + 1):
        if (i == len(failed) or records[failed[i]].scheduled
                - records[failed[i - 1]].scheduled > gap):
            clusters.append(_cluster(records, failed[first], failed[i - 1],
                                     i - first))
            first = i
    return clusters


def failing_stretches(records):
    """Return the runs of consecutive failed requests, in time order.

    A stretch starts at the first failed request and ends at the next
    request that did not fail (``recovered``), or at the last request.

    :param records: sent records sorted by scheduled time.
    :returns: dicts with ``start``, ``end``, ``seconds``, ``failures`` and
        ``recovered``.
    """
    stretches = []
    start = None
    for pos, rec in enumerate(records):
        if rec.failed and start is None:
            start = pos
        elif not rec.failed and start is not None:
            stretches.append(_stretch(records, start, pos))
            start = None
    if start is not None:
        stretches.append(_stretch(records, start, len(records)))
    return stretches


def longest(windows):
    """Return the longest window (ties: the most failures), or ``None``."""
    return max(windows, default=None,
               key=lambda window: (window["seconds"], window["failures"]))


def _cluster(records, first, last, failures):
    start, end = records[first].scheduled, records[last].scheduled
    return {"start": start, "end": end, "seconds": round(end - start, 6),
            "failures": failures, "requests": last - first + 1}


def _stretch(records, start, stop):
    recovered = stop < len(records)
    begin = records[start].scheduled
    end = records[stop if recovered else stop - 1].scheduled
    return {"start": begin, "end": end, "seconds": round(end - begin, 6),
            "failures": stop - start, "recovered": recovered}
