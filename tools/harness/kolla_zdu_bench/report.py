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
"""Text tables of the bench's figures."""

import dataclasses

from kolla_zdu_bench import figures

GAP_HEADER = ('mechanism', 'srv', 'run', 'sent', 'failed', 'window s', 'held',
              'held outcomes', 'held ok p99/max s', '503+RA s min/max',
              'in flight at hold', '64K POST', 'drain s', 'release lag s')
UNPLANNED_HEADER = ('mechanism', 'srv', 'sent', 'outcomes', 'ok p99/max s',
                    '503+RA max s', 'other max s', 'window outcomes')
MEMORY_HEADER = ('mechanism', 'held', 'counted', 'RSS KiB', 'RSS B/req',
                 'pools B/req', 'pool used B/req', 'CPU %')


def as_json(value):
    """Serialize the dataclasses of the figures for :mod:`json`."""
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    raise TypeError(repr(value))


def table(header, rows):
    """Return ``rows`` under ``header`` in aligned columns."""
    rows = [tuple(str(cell) for cell in row) for row in rows]
    widths = [max(len(str(row[i])) for row in [header] + rows)
              for i in range(len(header))]
    lines = [' | '.join(str(cell).ljust(w) for cell, w in zip(row, widths))
             for row in [header] + rows]
    lines.insert(1, '-+-'.join('-' * w for w in widths))
    return '\n'.join(lines)


def _pair(low, high):
    return '%.2f/%.2f' % (low, high)


def gap_row(outcome):
    """Return the table row of a gap or overflow run."""
    held, every = outcome['held'], outcome['all']
    flight = outcome['in_flight_at_hold']
    times = outcome['timeline']
    run = ('gap %d' % outcome['gap'] if outcome['scenario'] == 'gap'
           else 'overflow')
    return (outcome['mechanism'], outcome['servers'], run, every.sent,
            every.failed,
            '%.1f' % (times['released'] - times['hold']), held.sent,
            figures.format_counts(held.counts),
            _pair(held.ok_p99, held.ok_max), _pair(held.ra_min, held.ra_max),
            figures.format_counts(flight.counts) or '-',
            '%s %.1fs' % (outcome['big_post'], outcome['big_post_s']),
            '%.2f' % times['drained_s'], '%.2f' % outcome['release_lag_s'])


def unplanned_row(outcome):
    """Return the table row of an unplanned-failure run."""
    every, window = outcome['all'], outcome['held']
    return (outcome['mechanism'], outcome['servers'], every.sent,
            figures.format_counts(every.counts),
            _pair(every.ok_p99, every.ok_max), '%.2f' % every.ra_max,
            '%.2f' % every.other_max, figures.format_counts(window.counts))


def memory_row(outcome):
    """Return the table row of a memory run."""
    return (outcome['mechanism'], outcome['held'], outcome['counted'],
            outcome['rss_kib'], '%.0f' % outcome['rss_per_request_b'],
            '%.0f' % outcome['pools_per_request_b'],
            '%.0f' % outcome['pool_used_per_request_b'],
            '%.1f' % outcome['cpu_percent'])


def one_line(outcome):
    """Return a one-line summary of any run, for the log."""
    row = {'gap': gap_row, 'overflow': gap_row, 'unplanned': unplanned_row,
           'memory': memory_row}[outcome['scenario']](outcome)
    return ' | '.join(str(cell) for cell in row)


def legend(classes):
    """Return one line per mechanism: its name and what it does."""
    lines = ['%-13s %s' % (cls.name, cls.summary) for cls in classes]
    return '\n'.join(lines) + '\n'


def tables(results):
    """Return the tables of every kind of run present in ``results``."""
    parts = []
    gaps = [r for r in results if r['scenario'] in ('gap', 'overflow')]
    if gaps:
        parts.append(table(GAP_HEADER, [gap_row(r) for r in gaps]))
    unplanned = [r for r in results if r['scenario'] == 'unplanned']
    if unplanned:
        parts.append(table(UNPLANNED_HEADER,
                           [unplanned_row(r) for r in unplanned]))
    memory = [r for r in results if r['scenario'] == 'memory']
    if memory:
        parts.append(table(MEMORY_HEADER, [memory_row(r) for r in memory]))
    return '\n\n'.join(parts)
