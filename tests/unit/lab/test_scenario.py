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
"""The lab's demo: one release step, plain then zero-downtime."""

import contextlib
import io
import json
from unittest import mock

import fixtures

from kolla_zdu_lab import errors
from kolla_zdu_lab import scenario
from tests.unit import base


def _outcome(label):
    return scenario.Outcome(label=label, report=mock.Mock(),
                            upgrade_seconds=1.0, return_code=0,
                            log_path='/x/%s.log' % label)


class DemoTestCase(base.TestCase):

    def run_demo(self, target):
        calls = []

        def upgrade(state_dir, version, label, strategy=None, **kwargs):
            calls.append(('upgrade', version, label, strategy))
            return _outcome(label)

        def move_to(state_dir, version):
            calls.append(('move', version))

        with mock.patch.object(scenario, 'upgrade_under_probe', upgrade), \
                mock.patch.object(scenario, 'move_to', move_to), \
                mock.patch.object(scenario, 'enable_admin_socket',
                                  return_value=False), \
                mock.patch.object(scenario.settings_mod, 'load_settings'), \
                mock.patch.object(scenario.kolla_config, 'read_target',
                                  return_value=target), \
                mock.patch.object(scenario.probe, 'format_comparison',
                                  return_value='table') as table:
            text = scenario.demo('/state')
        return calls, text, table

    def test_the_same_release_step_plain_then_zero_downtime(self):
        calls, text, table = self.run_demo('2026.1')
        self.assertEqual([('upgrade', '2026.2', 'plain', None),
                          ('move', '2026.1'),
                          ('upgrade', '2026.2', 'zero-downtime-auto',
                           'auto')], calls)
        self.assertEqual(['plain 2026.1->2026.2',
                          '--zero-downtime (auto) 2026.1->2026.2'],
                         table.call_args[0][1])
        self.assertIn('plain: kolla-ansible upgrade exited 0', text)

    def test_a_lab_elsewhere_moves_to_the_first_release_first(self):
        calls, _text, _table = self.run_demo('v2')
        self.assertEqual(('move', '2026.1'), calls[0])

    def test_a_failed_move_names_its_log(self):
        lab = mock.Mock()
        lab.path.return_value = '/state/logs/move-to-2026.1.log'
        with mock.patch.object(scenario.settings_mod, 'load_settings',
                               return_value=lab), \
                mock.patch.object(scenario.release_host, 'for_target'), \
                mock.patch.object(scenario.kolla_config, 'set_target'), \
                mock.patch.object(scenario, '_run_kolla_ansible',
                                  return_value=2):
            error = self.assertRaises(errors.LabError, scenario.move_to,
                                      '/state', '2026.1')
        self.assertIn('/state/logs/move-to-2026.1.log', str(error))


class UpgradeUnderProbeTestCase(base.TestCase):
    """The deploy host is ready before the probe measures anything."""

    def test_session_opens_before_the_probe_starts(self):
        events = []

        class Host(object):
            @contextlib.contextmanager
            def session(self):
                events.append('session: install the deploy host')
                yield self
                events.append('session closed')

        @contextlib.contextmanager
        def probing(*args):
            events.append('probe starts')
            yield mock.Mock()
            events.append('probe stops')

        def run(host, args, log_path):
            events.append('kolla-ansible %s' % ' '.join(args))
            return 0

        lab = mock.Mock(state_dir='/state')
        with mock.patch.object(scenario.settings_mod, 'load_settings',
                               return_value=lab), \
                mock.patch.object(scenario.release_host, 'for_target',
                                  return_value=Host()), \
                mock.patch.object(scenario.kolla_config, 'set_target'), \
                mock.patch.object(scenario, 'probing', probing), \
                mock.patch.object(scenario, '_run_in_session', run), \
                mock.patch.object(
                    scenario, 'pull_target',
                    lambda lab, version: events.append('pull ' + version)), \
                mock.patch('os.makedirs'):
            outcome = scenario.upgrade_under_probe(
                '/state', '2026.2', 'zdu', strategy='auto',
                output_dir='/reports')
        self.assertEqual(['pull 2026.2',
                          'session: install the deploy host', 'probe starts',
                          'kolla-ansible upgrade --zero-downtime '
                          '--zdu-strategy auto', 'probe stops',
                          'session closed'], events)
        self.assertEqual(0, outcome.return_code)


class InterruptedUpgradeTestCase(base.TestCase):
    """A run killed at a chosen moment, then run again to its end."""

    def run_in_session(self, argv, interrupt):
        host = mock.Mock()
        host.argv.return_value = argv
        host.environment.return_value = {'PATH': '/usr/bin:/bin'}
        log_path = self.useFixture(fixtures.TempDir()).join('run.log')
        with mock.patch.object(scenario.deploy_host, 'make_cgroup'), \
                mock.patch.object(scenario.deploy_host, 'confine'), \
                mock.patch.object(scenario.deploy_host, 'command',
                                  lambda argv: argv), \
                mock.patch.object(scenario, 'INTERRUPT_POLL_SECONDS', 0.01):
            return scenario._run_in_session(host, ['upgrade'], log_path,
                                            interrupt)

    def test_the_run_is_killed_once_the_moment_comes(self):
        asked = []

        def interrupt():
            asked.append(True)
            return len(asked) == 3

        code = self.run_in_session(['sleep', '60'], interrupt)
        self.assertEqual(-9, code)
        self.assertEqual(3, len(asked))

    def test_a_run_that_ends_before_the_moment_is_an_error(self):
        error = self.assertRaises(errors.LabError, self.run_in_session,
                                  ['true'], lambda: False)
        self.assertIn('ended (exit 0) before the moment to interrupt it '
                      'came', str(error))

    def test_the_rerun_runs_under_the_same_probe(self):
        events = []

        class Host(object):
            @contextlib.contextmanager
            def session(self):
                yield self

        @contextlib.contextmanager
        def probing(*args):
            events.append('probe starts')
            sender = mock.Mock()
            yield sender
            events.append('probe stops')

        def run(host, args, log_path, interrupt=None):
            events.append((log_path, interrupt))
            return -9 if interrupt else 0

        moment = mock.Mock()
        with mock.patch.object(scenario.settings_mod, 'load_settings'), \
                mock.patch.object(scenario.release_host, 'for_target',
                                  return_value=Host()), \
                mock.patch.object(scenario.kolla_config, 'set_target'), \
                mock.patch.object(scenario, 'probing', probing), \
                mock.patch.object(scenario, '_run_in_session', run), \
                mock.patch.object(scenario, 'pull_target'), \
                mock.patch('os.makedirs'):
            outcome = scenario.upgrade_under_probe(
                '/state', '2026.2', 'zdu', strategy='auto',
                output_dir='/reports', interrupt=moment)
        self.assertEqual(['probe starts',
                          ('/reports/zdu-killed-upgrade.log', moment),
                          ('/reports/zdu-upgrade.log', None),
                          'probe stops'], events)
        self.assertEqual(0, outcome.return_code)
        self.assertIsNotNone(outcome.after_kill_seconds)


class PullTargetTestCase(base.TestCase):
    """The target's images reach the nodes one node at a time."""

    def test_pulls_what_the_registry_tags_so_node_by_node(self):
        answers = {
            '/v2/_catalog?n=1000': {'repositories': ['kolla/heat-api',
                                                     'kolla/cron']},
            '/v2/kolla/heat-api/tags/list': {'tags': ['2026.1', '2026.2']},
            '/v2/kolla/cron/tags/list': {'tags': ['2026.1']},
        }

        def urlopen(url, timeout):
            path = url[len('http://127.0.0.1:5000'):]
            return io.BytesIO(json.dumps(answers[path]).encode())

        lab = scenario.settings_mod.LabSettings(state_dir='/state',
                                                nodes=2)
        with mock.patch('urllib.request.urlopen', urlopen), \
                mock.patch.object(scenario.dockercli,
                                  'node_exec') as node_exec:
            scenario.pull_target(lab, '2026.2')
        self.assertEqual(
            [mock.call(node, 'docker', 'pull', '-q',
                       '%s/kolla/heat-api:2026.2' % lab.registry,
                       timeout=scenario.PULL_TIMEOUT)
             for node in lab.node_names()], node_exec.call_args_list)


class ProbeSettingsTestCase(base.TestCase):
    """Each profile's probe: plain HTTP, tokens, or heat's APIs."""

    def settings_for(self, profile):
        lab_settings = scenario.settings_mod.LabSettings(
            state_dir='/state', profile=profile)
        return scenario.probe_settings(lab_settings, rate=10,
                                       min_requests=100)

    def test_demo_probes_the_demo_url(self):
        settings = self.settings_for('demo')
        self.assertEqual(['http://172.30.99.250:9797/'], settings.urls)
        self.assertEqual('http', settings.mode)
        self.assertEqual(scenario.SLOW_SHARE, settings.slow_share)

    def test_keystone_probes_tokens(self):
        settings = self.settings_for('keystone')
        self.assertEqual('keystone', settings.mode)
        self.assertEqual('/state/clouds.yaml',
                         settings.os_client_config_file)
        self.assertFalse(settings.heat_mode)

    def test_heat_probes_heat_and_tokens_as_the_same_user(self):
        settings = self.settings_for('heat')
        self.assertEqual('heat', settings.mode)
        self.assertTrue(settings.heat_mode)
        self.assertEqual([], settings.urls)
        self.assertEqual(scenario.keystone_lab.PROBE_CLOUD, settings.os_cloud)
        self.assertEqual(100, settings.min_requests)
