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
"""The bench's results as the reStructuredText page of the reference docs.

``doc/source/reference/benchmark-results.rst`` is written from a run's
figures: the date, the machine, the command, the table and the targets.
"""

import os
import platform
import re
import textwrap

from kolla_zdu_bench.upgrade import figures as upgrade_figures
from kolla_zdu_bench.upgrade import targets as targets

TITLE = 'Upgrade benchmark results'
SPECIAL = re.compile(r'([\\*`|_])')
LIST_MARKER = re.compile(r'^([-+*#]|\d+[.)])(\s|$)')


def machine_facts():
    """Return the CPU count, kernel, architecture and memory of the host."""
    facts = {'cpus': os.cpu_count(),
             'kernel': '%s %s' % (platform.system(), platform.release()),
             'machine': platform.machine(), 'memory_gib': None}
    try:
        with open('/proc/meminfo') as meminfo:
            for line in meminfo:
                if line.startswith('MemTotal:'):
                    facts['memory_gib'] = round(
                        int(line.split()[1]) / 1024.0 / 1024.0, 1)
    except (OSError, ValueError, IndexError):
        pass
    return facts


def escape(text):
    """Return ``text`` as literal reStructuredText inline content."""
    text = SPECIAL.sub(r'\\\1', str(text))
    return '\\' + text if LIST_MARKER.match(text) else text


def paragraph(text):
    """Return ``text`` wrapped to 79 columns, then a blank line."""
    return textwrap.fill(text, 79, break_long_words=False,
                         break_on_hyphens=False).splitlines() + ['']


def heading(text, char):
    """Return a section title underlined (and, for ``=``, overlined)."""
    line = char * len(text)
    return [line, text, line, ''] if char == '=' else [text, line, '']


def list_table(header, rows, empty='Nothing was measured.'):
    """Return a ``list-table`` directive of ``rows`` under ``header``.

    :param empty: the paragraph given instead when there is no row.
    """
    if not rows:
        return [empty, '']
    lines = ['.. list-table::', '   :header-rows: 1', '']
    for cells in [header] + list(rows):
        lines.append('   * - %s' % escape(cells[0]))
        lines += ['     - %s' % escape(cell) for cell in cells[1:]]
    return lines + ['']


def _met(value):
    return {True: 'yes', False: 'NO', None: 'not measured'}[value]


def targets_rows(results):
    """Return ``(scenario, target, met, detail)`` of every target."""
    rows = []
    for item in results:
        if item['return_code'] != 0:
            rows.append((item['scenario'], 'upgrade succeeds', 'NO',
                         'exit %d' % item['return_code']))
        rows += [(item['scenario'], check['target'], _met(check['met']),
                  check['detail']) for check in item['targets']]
    return rows


def intro(run):
    """Return the paragraph that says how the figures were measured."""
    return paragraph(
        'Measured on %s on the built-in lab. Each run moves the lab\'s '
        'zdu-demo service between v1 and v2 with the real ``kolla-ansible '
        'upgrade`` while the availability probe sends %g requests/s. '
        '"Steady" figures cover the %g s before the upgrade; "during" '
        'figures cover the upgrade and the probing after it. HAProxy\'s '
        'memory is the peak of the ``haproxy`` container of every node, '
        'sampled once a second.' % (run['date'], run['rate'],
                                    run['settle_seconds']))


def machine_section(machine):
    """Return the section of the machine's facts."""
    memory = ('%s GiB' % machine['memory_gib']
              if machine.get('memory_gib') else 'unknown')
    return heading('Machine', '-') + [
        '* CPUs: %s' % machine['cpus'],
        '* Kernel: %s (%s)' % (machine['kernel'], machine['machine']),
        '* Memory: %s' % memory, '']


RESULTS_LEGEND = (
    '"baseline" and "baseline-1" are plain upgrades on three nodes and on '
    'one; "auto-mixed" is auto with zdu-demo made mixed-version-unsafe '
    '(``zdu_demo_exclusive_schema: true`` and ``[zdu] '
    'mixed_version_unsafe_services = zdu-demo``). The wall ratio compares '
    'with the baseline on as many nodes; "held" counts requests that took '
    'over 1 s; "-" means not measured.')
TARGETS_TEXT = (
    'Every zero-downtime upgrade must fail no request. Rolling and parallel '
    'upgrades keep p99 latency during the upgrade within %.1fx steady; '
    'parallel and auto take at most %.1fx the wall time of a plain upgrade '
    'on as many nodes; a buffered upgrade (buffer, auto-mixed) holds no '
    'request longer than ``[buffer] max_hold_time`` (%d s).')


def results_section(results):
    """Return the section of the table of figures."""
    rows = [upgrade_figures.row(item) for item in results]
    return (heading('Results', '-') + paragraph(RESULTS_LEGEND)
            + list_table(upgrade_figures.HEADER, rows))


def targets_section(results, max_hold_time):
    """Return the section of the targets and which were met."""
    text = TARGETS_TEXT % (targets.P99_RATIO_MAX, targets.WALL_RATIO_MAX,
                           max_hold_time)
    table = list_table(('scenario', 'target', 'met', 'detail'),
                       targets_rows(results),
                       empty='No target applies to the scenarios run.')
    return heading('Targets', '-') + paragraph(text) + table


def command_section(command):
    """Return the section of the command line the run used."""
    return heading('Command', '-') + ['::', '', '    %s' % command, '']


def render(run):
    """Return the page for one bench run.

    :param run: the bench's JSON document: ``date``, ``machine``,
        ``command``, ``rate``, ``settle_seconds``, ``max_hold_time`` and
        ``results``.
    """
    lines = (heading(TITLE, '=') + intro(run)
             + machine_section(run['machine'])
             + command_section(run['command'])
             + results_section(run['results'])
             + targets_section(run['results'], run['max_hold_time']))
    return '\n'.join(lines).rstrip('\n') + '\n'
