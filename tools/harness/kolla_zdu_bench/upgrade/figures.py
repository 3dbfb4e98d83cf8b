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
"""The figures of one upgrade of the bench, and the bench's table.

Latencies come from the probe report's summary: "steady" is the time
before the upgrade started, "during" the rest of the run (the upgrade and
the probing that follows it). Milliseconds are rounded to 0.1 ms.
"""

from kolla_zdu_bench import report
from kolla_zdu_bench.upgrade import memory_sampler
from kolla_zdu_bench.upgrade import targets as targets

HEADER = ('scenario', 'nodes', 'requests', 'failed',
          'p50 ms steady/during', 'p99 ms steady/during', 'p99 ratio',
          'max ms during', 'held >1s n/max ms', 'upgrade s', 'wall ratio',
          'HAProxy peak MiB', 'targets')


def _ms(seconds):
    return None if seconds is None else round(seconds * 1000.0, 1)


def _latency(summary, period, key):
    values = summary['latency']['plain'].get(period)
    return _ms(values[key]) if values else None


def _ratio(numerator, denominator):
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 2)


def _mib(value):
    return None if value is None else round(value, 1)


def figures(scenario, outcome, peaks):
    """Return the JSON-ready figures of one upgrade.

    :param scenario: the :class:`upgrade_scenarios.Scenario` run.
    :param outcome: the :class:`scenario.Outcome` of the run.
    :param peaks: ``{node: NodePeak}`` of HAProxy's memory.
    """
    summary = outcome.report.summary
    totals, held = summary['totals'], summary['held']
    stretch = summary['failure_windows']['longest_failing_stretch']
    p99_steady = _latency(summary, 'steady', 'p99')
    p99_during = _latency(summary, 'during', 'p99')
    return {
        'scenario': scenario.name,
        'nodes': scenario.nodes,
        'strategy': scenario.strategy,
        'return_code': outcome.return_code,
        'requests': totals['sent'],
        'failed': totals['failed'],
        'failures_by_kind': totals['failures_by_kind'],
        'p50_steady_ms': _latency(summary, 'steady', 'p50'),
        'p50_during_ms': _latency(summary, 'during', 'p50'),
        'p99_steady_ms': p99_steady,
        'p99_during_ms': p99_during,
        'p99_ratio': _ratio(p99_during, p99_steady),
        'longest_hold_ms': _latency(summary, 'during', 'max'),
        'held_count': held['count'],
        'held_max_ms': _ms(held['max']),
        'longest_failing_stretch_s': stretch['seconds'] if stretch else None,
        'upgrade_seconds': outcome.upgrade_seconds,
        'wall_ratio': None,
        'haproxy_peak_mib': _mib(memory_sampler.overall_peak(peaks)),
        'haproxy_memory': {
            node: {'peak_mib': _mib(peak.peak_mib), 'samples': peak.samples,
                   'missed': peak.missed, 'source': peak.source}
            for node, peak in sorted(peaks.items())},
        'upgrade_log': outcome.log_path,
        'targets': [],
    }


def complete(results, scenarios, max_hold_time):
    """Fill in wall-time ratios and targets once every upgrade ran.

    The ratio compares with the baseline of the same node count.
    """
    baselines = {item['nodes']: item['upgrade_seconds'] for item in results
                 if item['strategy'] is None and item['return_code'] == 0}
    wanted = {scenario.name: scenario.targets for scenario in scenarios}
    for item in results:
        item['wall_ratio'] = _ratio(item['upgrade_seconds'],
                                    baselines.get(item['nodes']))
        item['targets'] = targets.evaluate(
            item, wanted.get(item['scenario'], ()), max_hold_time)
    return results


def _cell(value, pattern='%s'):
    return '-' if value is None else pattern % value


def _pair(first, second):
    return '%s / %s' % (_cell(first, '%.1f'), _cell(second, '%.1f'))


def row(item):
    """Return the table row of one scenario's figures, as strings."""
    return (item['scenario'], str(item['nodes']),
            str(item['requests']), str(item['failed']),
            _pair(item['p50_steady_ms'], item['p50_during_ms']),
            _pair(item['p99_steady_ms'], item['p99_during_ms']),
            _cell(item['p99_ratio'], '%.2f'),
            _cell(item['longest_hold_ms'], '%.0f'),
            '%d / %s' % (item['held_count'],
                         _cell(item['held_max_ms'], '%.0f')),
            _cell(item['upgrade_seconds'], '%.1f'),
            _cell(item['wall_ratio'], '%.2f'),
            _cell(item['haproxy_peak_mib'], '%.1f'),
            targets.verdict(item))


def text_table(results):
    """Return the figures of every scenario as an aligned text table."""
    return report.table(HEADER, [row(item) for item in results])
