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
"""The kolla-zdu-bench runner, with the lab and the upgrades faked."""

import io
import json
import os
from unittest import mock

import fixtures

from kolla_zdu_bench.upgrade import cli as upgrades
from kolla_zdu_lab import errors
from kolla_zdu_lab import settings as settings_mod
from tests.unit import base
from tests.unit.bench import fakes


class ParseArgsTestCase(base.TestCase):

    def test_defaults(self):
        args = upgrades.parse_args(['--state-dir', '/srv/lab/'])
        self.assertEqual((100.0, 6000, 20.0),
                         (args.rate, args.min_requests, args.settle_seconds))
        self.assertEqual(7, len(args.plan))
        self.assertTrue(args.output_dir.startswith('/srv/lab-bench-'))
        self.assertEqual(20, args.max_hold_time)
        self.assertFalse(args.no_docs or args.keep_lab)

    def test_subset_and_options(self):
        args = upgrades.parse_args([
            '--scenarios', 'buffer,baseline-1', '--rate', '50',
            '--min-requests', '3000', '--output-dir', 'out', '--no-docs',
            '--keep-lab'])
        self.assertEqual(['baseline-1', 'buffer'],
                         [item.name for item in args.plan])
        self.assertEqual(os.path.abspath('out'), args.output_dir)
        self.assertTrue(args.no_docs and args.keep_lab)

    def test_bad_values(self):
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', io.StringIO()))
        for argv in (['--scenarios', 'rolling,nope'], ['--rate', '0'],
                     ['--min-requests', '-1'],
                     ['--state-dir', '/srv/lab', '--output-dir',
                      '/srv/lab/reports']):
            self.assertRaises(SystemExit, upgrades.parse_args, argv)
        upgrades.parse_args(['--state-dir', '/srv/lab', '--output-dir',
                             '/srv/lab-reports'])


class RunTestCase(base.TestCase):
    """main() with the lab and the upgrades replaced by fakes."""

    def setUp(self):
        super().setUp()
        self.out = os.path.join(self.config_dir, 'out')
        self.docs = os.path.join(self.config_dir, 'results.rst')
        self.stdout = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', self.stdout))
        self.stderr = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', self.stderr))
        self.useFixture(fixtures.MonkeyPatch(
            'kolla_zdu_lab.progress.configure_logging',
            lambda verbose: None))
        self.ensure = self.patch('ensure_lab', self.fake_lab)
        self.prepare = self.patch('prepare_target')
        self.take_down = self.patch('take_down')
        self.useFixture(fixtures.MonkeyPatch(
            'kolla_zdu_bench.upgrade.cli.kolla_config.read_target',
            lambda lab_settings: 'v1'))
        self.useFixture(fixtures.MonkeyPatch(
            'kolla_zdu_bench.upgrade.cli.memory_sampler.Sampler',
            FakeSampler))
        self.codes = {}
        self.upgrade = mock.Mock(side_effect=self.fake_upgrade)
        self.useFixture(fixtures.MonkeyPatch(
            'kolla_zdu_bench.upgrade.cli.lab_scenario.'
            'upgrade_under_probe', self.upgrade))

    def patch(self, name, side_effect=None):
        patcher = mock.patch.object(upgrades.upgrade_lab, name,
                                    side_effect=side_effect)
        self.addCleanup(patcher.stop)
        return patcher.start()

    def fake_lab(self, state_dir, nodes):
        return settings_mod.LabSettings(state_dir=state_dir, nodes=nodes)

    def fake_upgrade(self, state_dir, version, label, **kwargs):
        return fakes.outcome(label, return_code=self.codes.get(label, 0),
                             failed=0 if kwargs['strategy'] else 100)

    def main(self, *argv):
        return upgrades.main(['--state-dir', '/srv/lab', '--output-dir',
                              self.out, '--docs-file', self.docs] +
                             list(argv))

    def results(self):
        with open(os.path.join(self.out, upgrades.RESULTS_FILE)) as stream:
            return json.load(stream)

    def test_full_run(self):
        self.assertEqual(0, self.main())
        self.assertEqual([mock.call('/srv/lab', 3), mock.call('/srv/lab', 1)],
                         self.ensure.call_args_list)
        calls = [(c[0][1], c[0][2], c[1]['strategy'])
                 for c in self.upgrade.call_args_list]
        self.assertEqual([('v2', 'baseline', None), ('v1', 'rolling',
                                                     'rolling'),
                          ('v2', 'parallel', 'parallel'),
                          ('v1', 'auto', 'auto'),
                          ('v2', 'auto-mixed', 'auto'),
                          ('v2', 'baseline-1', None),
                          ('v1', 'buffer', 'buffer')], calls)
        kwargs = self.upgrade.call_args_list[4][1]
        self.assertEqual(['--zdu-config-file',
                          os.path.join(self.out, 'auto-mixed-zdu.conf')],
                         kwargs['extra_args'])
        self.assertEqual((100.0, 6000, 20.0, self.out),
                         (kwargs['rate'], kwargs['min_requests'],
                          kwargs['settle_seconds'], kwargs['output_dir']))
        self.assertEqual([], self.upgrade.call_args_list[1][1]['extra_args'])
        self.assertEqual(7, self.prepare.call_count)
        self.take_down.assert_called_once_with('/srv/lab')
        run = self.results()
        self.assertEqual(7, len(run['results']))
        self.assertEqual(64.0, run['results'][1]['haproxy_peak_mib'])
        self.assertIn('rolling ', self.stdout.getvalue())
        with open(self.docs) as stream:
            self.assertIn('Upgrade benchmark results', stream.read())

    def test_failed_upgrade_exits_non_zero_and_continues(self):
        self.codes['parallel'] = 2
        self.assertEqual(1, self.main('--scenarios', 'baseline,parallel,auto',
                                      '--no-docs'))
        self.assertEqual(3, self.upgrade.call_count)
        self.assertIn('upgrade command failed in: parallel',
                      self.stderr.getvalue())
        self.assertIn('upgrade FAILED (exit 2)', self.stdout.getvalue())
        self.assertFalse(os.path.exists(self.docs))

    def test_unmet_targets_are_reported_not_fatal(self):
        self.upgrade.side_effect = lambda *a, **kw: fakes.outcome(
            a[2], failed=3)
        self.assertEqual(0, self.main('--scenarios', 'rolling'))
        self.assertIn('target not met: rolling: zero failures (3 failed)',
                      self.stdout.getvalue())

    def test_lab_error_takes_the_lab_down_and_keeps_figures(self):
        self.ensure.side_effect = [
            self.fake_lab('/srv/lab', 3),
            errors.LabError(reason='node1 did not start')]
        self.assertEqual(1, self.main('--scenarios', 'rolling,buffer'))
        self.assertIn('node1 did not start', self.stderr.getvalue())
        self.take_down.assert_called_once_with('/srv/lab')
        self.assertEqual(['rolling'], [item['scenario'] for item in
                                       self.results()['results']])
        self.assertFalse(os.path.exists(self.docs))

    def test_keep_lab(self):
        self.assertEqual(0, self.main('--scenarios', 'rolling',
                                      '--keep-lab'))
        self.take_down.assert_not_called()


class FakeSampler(object):
    """A memory sampler that reports 64 MiB on every node."""

    def __init__(self, nodes):
        self.peaks = fakes.peaks(**{node: 64.0 for node in nodes})

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False
