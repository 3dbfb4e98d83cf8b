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
"""The targets a zero-downtime upgrade of the bench has to meet.

Each target is checked against one scenario's figures (see
:mod:`upgrade_figures`) and gives ``met`` True or False, or None when the
figure it needs was not measured (no baseline of the same node count, no
latency sample).
"""

from kolla_zdu_plugin.conf import buffer as buffer_conf

ZERO_FAILURES = 'zero failures'
P99_RATIO = 'p99 during <= %.1fx steady'
WALL_RATIO = 'wall time <= %.1fx baseline'
HOLD = 'longest hold <= [buffer] max_hold_time'
P99_RATIO_MAX = 1.5
WALL_RATIO_MAX = 1.5


def default_max_hold_time():
    """Return the default of ``[buffer] max_hold_time``, in seconds."""
    return next(opt.default for opt in buffer_conf.OPTS
                if opt.name == 'max_hold_time')


def _zero_failures(figures, max_hold_time):
    return figures['failed'] == 0, '%d failed' % figures['failed']


def _p99_ratio(figures, max_hold_time):
    ratio = figures['p99_ratio']
    if ratio is None:
        return None, 'no p99 sample'
    return ratio <= P99_RATIO_MAX, 'p99 ratio %.2f' % ratio


def _wall_ratio(figures, max_hold_time):
    ratio = figures['wall_ratio']
    if ratio is None:
        return None, 'no baseline on %d nodes' % figures['nodes']
    return ratio <= WALL_RATIO_MAX, 'wall ratio %.2f' % ratio


def _hold(figures, max_hold_time):
    longest = figures['longest_hold_ms']
    if longest is None:
        return None, 'no latency sample during the upgrade'
    return (longest <= max_hold_time * 1000.0,
            'longest %.0f ms, max %d s' % (longest, max_hold_time))


CHECKS = {
    ZERO_FAILURES: _zero_failures,
    P99_RATIO: _p99_ratio,
    WALL_RATIO: _wall_ratio,
    HOLD: _hold,
}


def target_name(target):
    """Return a target as people read it, its limit filled in."""
    if target == P99_RATIO:
        return target % P99_RATIO_MAX
    if target == WALL_RATIO:
        return target % WALL_RATIO_MAX
    return target


def evaluate(figures, targets, max_hold_time):
    """Return ``[{target, met, detail}]`` for one scenario's figures.

    :param targets: the scenario's targets, among :data:`CHECKS`' keys.
    :param max_hold_time: the ``[buffer] max_hold_time`` in seconds.
    """
    results = []
    for target in targets:
        met, detail = CHECKS[target](figures, max_hold_time)
        results.append({'target': target_name(target), 'met': met,
                        'detail': detail})
    return results


def verdict(figures):
    """Return the targets column of the table for one scenario."""
    if figures['return_code'] != 0:
        return 'upgrade FAILED (exit %d)' % figures['return_code']
    evaluated = figures['targets']
    if not evaluated:
        return '-'
    missed = [item for item in evaluated if item['met'] is False]
    unknown = [item for item in evaluated if item['met'] is None]
    if missed:
        return 'NOT met: %s' % '; '.join(item['detail'] for item in missed)
    if unknown:
        return 'met, %d not measured' % len(unknown)
    return 'met'


def unmet(results):
    """Return ``(scenario, target, detail)`` of every target missed."""
    return [(figures['scenario'], item['target'], item['detail'])
            for figures in results for item in figures['targets']
            if item['met'] is False]
