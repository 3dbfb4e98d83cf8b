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
"""Latency statistics: nearest-rank percentiles over lists of seconds."""

import math


def percentile(sorted_values, fraction):
    """Return the nearest-rank percentile of ascending values.

    :param fraction: 0.5 for the median, 0.99 for p99.
    :returns: the smallest value with at least ``fraction`` of the values
        at or below it, or ``None`` for no values.
    """
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def latency_summary(latencies):
    """Return count, p50, p99 and max of latencies, or ``None`` if empty."""
    values = sorted(latencies)
    if not values:
        return None
    return {
        "count": len(values),
        "p50": percentile(values, 0.50),
        "p99": percentile(values, 0.99),
        "max": values[-1],
    }
