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
"""The benchmark results page."""

import io

from docutils import core
from docutils import utils as docutils_utils

from kolla_zdu_bench.upgrade import figures as upgrade_figures
from kolla_zdu_bench.upgrade import rst as upgrade_rst
from kolla_zdu_bench.upgrade import scenarios as upgrade_scenarios
from tests.unit import base
from tests.unit.bench import fakes

SCENARIOS = {item.name: item for item in upgrade_scenarios.SCENARIOS}


def run_document(results):
    return {'date': '2025-01-02 03:04 UTC',
            'machine': {'cpus': 2, 'kernel': 'Linux 6.1.0',
                        'machine': 'x86_64', 'memory_gib': 7.8},
            'command': 'kolla-zdu-bench --rate 100',
            'rate': 100.0, 'settle_seconds': 20.0, 'max_hold_time': 20,
            'results': upgrade_figures.complete(
                results, upgrade_scenarios.SCENARIOS, 20)}


def figures(name, **kwargs):
    return upgrade_figures.figures(SCENARIOS[name],
                                   fakes.outcome(name, **kwargs),
                                   fakes.peaks(node1=30.0))


def doctree_messages(text):
    """Return docutils' warnings and errors about text."""
    stream = io.StringIO()
    core.publish_doctree(text, settings_overrides={
        'warning_stream': stream, 'report_level':
        docutils_utils.Reporter.WARNING_LEVEL, 'halt_level': 5})
    return stream.getvalue()


class EscapeTestCase(base.TestCase):

    def test_inline_markup_is_literal(self):
        self.assertEqual(r'a\*b\* \`c\` d\_ e\|f\\',
                         upgrade_rst.escape('a*b* `c` d_ e|f\\'))

    def test_list_markers_are_literal(self):
        self.assertEqual('\\-', upgrade_rst.escape('-'))
        self.assertEqual('\\3. x', upgrade_rst.escape('3. x'))
        self.assertEqual('1.5', upgrade_rst.escape('1.5'))
        self.assertEqual('12 / -', upgrade_rst.escape('12 / -'))


class RenderTestCase(base.TestCase):

    def results(self):
        return [figures('baseline', seconds=96.0, failed=710),
                figures('rolling', seconds=136.0),
                figures('parallel', seconds=212.0),
                figures('buffer', seconds=50.0, return_code=2,
                        during=(0.005, 0.02, 21.0))]

    def test_valid_restructuredtext(self):
        text = upgrade_rst.render(run_document(self.results()))
        self.assertEqual('', doctree_messages(text))

    def test_facts_command_and_figures(self):
        text = upgrade_rst.render(run_document(self.results()))
        self.assertTrue(text.startswith('=' * len(upgrade_rst.TITLE) + '\n'
                                        + upgrade_rst.TITLE + '\n'))
        self.assertIn('2025-01-02 03:04 UTC', text)
        self.assertIn('* CPUs: 2\n', text)
        self.assertIn('* Kernel: Linux 6.1.0 (x86_64)\n', text)
        self.assertIn('* Memory: 7.8 GiB\n', text)
        self.assertIn('::\n\n    kolla-zdu-bench --rate 100\n', text)
        self.assertIn('   * - parallel\n     - 3\n     - 6000\n     - 0\n',
                      text)
        self.assertIn('     - NOT met: wall ratio 2.21\n', text)
        self.assertNotIn('not been run', text)

    def test_targets_list_which_were_met(self):
        text = upgrade_rst.render(run_document(self.results()))
        targets = text.split('\nTargets\n')[1]
        self.assertIn('   * - rolling\n     - zero failures\n     - yes\n',
                      targets)
        self.assertIn('   * - parallel\n     - wall time <= 1.5x baseline\n'
                      '     - NO\n     - wall ratio 2.21\n', targets)
        self.assertIn('   * - buffer\n     - upgrade succeeds\n     - NO\n'
                      '     - exit 2\n', targets)
        self.assertIn('     - longest 21000 ms, max 20 s\n', targets)

    def test_no_targets_is_still_valid(self):
        text = upgrade_rst.render(run_document(
            [figures('baseline', seconds=96.0)]))
        self.assertIn('No target applies to the scenarios run.', text)
        self.assertEqual('', doctree_messages(text))

    def test_machine_facts(self):
        facts = upgrade_rst.machine_facts()
        self.assertGreaterEqual(facts['cpus'], 1)
        self.assertTrue(facts['kernel'])
