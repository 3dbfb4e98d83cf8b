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
"""Fake probe summaries and upgrade outcomes for the bench's tests."""

import types

from kolla_zdu_bench.upgrade import memory_sampler
from kolla_zdu_lab import scenario


def latency(p50, p99, maximum, count=100):
    """Return a probe latency summary, in seconds."""
    return {'count': count, 'p50': p50, 'p99': p99, 'max': maximum}


def summary(sent=6000, failed=0, steady=(0.004, 0.010, 0.020),
            during=(0.005, 0.012, 0.030), held_count=0, held_max=None,
            stretch_seconds=None):
    """Return a probe report summary with the keys the bench reads."""
    stretch = ({'seconds': stretch_seconds, 'failures': failed}
               if stretch_seconds is not None else None)
    return {
        'totals': {'sent': sent, 'failed': failed,
                   'failures_by_kind': {'http_5xx': failed} if failed
                   else {}},
        'latency': {'plain': {
            'steady': latency(*steady) if steady else None,
            'during': latency(*during) if during else None}},
        'held': {'threshold': 1.0, 'count': held_count, 'max': held_max},
        'failure_windows': {'longest_failing_stretch': stretch},
    }


def outcome(label='rolling', seconds=100.0, return_code=0, **kwargs):
    """Return a :class:`scenario.Outcome` whose report has a fake summary."""
    return scenario.Outcome(
        label=label, report=types.SimpleNamespace(summary=summary(**kwargs)),
        upgrade_seconds=seconds, return_code=return_code,
        log_path='/tmp/%s-upgrade.log' % label)


def peaks(**values):
    """Return ``{node: NodePeak}`` with one sample of each value in MiB."""
    result = {}
    for node, value in values.items():
        result[node] = memory_sampler.NodePeak(source='test')
        result[node].add(value)
    return result
