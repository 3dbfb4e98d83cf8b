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
"""The agent's record, locks and answers, without a real HAProxy."""

import fcntl
import os
import socket
from unittest import mock

import fixtures

from kolla_zdu_plugin.haproxy import lb_agent
from tests.unit import base

NODE1 = 'api_back/node1'
NODE2 = 'api_back/node2'


class AgentTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.marks = os.path.join(self.dir, 'marks.json')
        self.answers = {}
        self.sent = []
        self.useFixture(fixtures.MockPatchObject(
            lb_agent, 'send_unchecked', side_effect=self.fake_send))

    def fake_send(self, path, command):
        self.sent.append(command)
        return self.answers.get(command, '\n')

    def handle(self, commands, marks=None):
        return lb_agent.handle(
            {'container': 'haproxy', 'socket_path': '/x', 'lease': None,
             'commands': commands, 'marks': marks or {}},
            locate=lambda container, path, engine: '/fake.sock',
            marks_file=self.marks)

    def write(self, text):
        with open(self.marks, 'w') as stream:
            stream.write(text)


class RecordTestCase(AgentTestCase):

    def test_missing_record_is_empty(self):
        self.assertEqual([], lb_agent.load_marks(self.marks))

    def test_corrupt_record_is_an_error(self):
        self.write('{"servers": ["api_back/no')
        exc = self.assertRaises(lb_agent.RecordError, lb_agent.load_record,
                                self.marks)
        self.assertIn(self.marks, str(exc))

    def test_record_of_the_wrong_type_is_an_error(self):
        self.write('42')
        self.assertRaises(lb_agent.RecordError, lb_agent.load_record,
                          self.marks)

    def test_request_on_a_corrupt_record_fails_and_names_it(self):
        self.write('not json')
        result = self.handle(['set server %s state drain' % NODE1],
                             {'add': [NODE1]})
        self.assertTrue(result['failed'])
        self.assertIn(self.marks, result['msg'])
        self.assertEqual([], self.sent)
        with open(self.marks) as stream:
            self.assertEqual('not json', stream.read())


class AnswerTestCase(AgentTestCase):

    def test_failed_ready_keeps_the_server_on_record(self):
        lb_agent.update_marks(add=[NODE1, NODE2], path=self.marks)
        ready2 = 'set server %s state ready' % NODE2
        self.answers[ready2] = 'No such server.\n'
        result = self.handle(['set server %s state ready' % NODE1, ready2],
                             {'remove': [NODE1, NODE2]})
        self.assertTrue(result['failed'])
        self.assertIn('No such server.', result['msg'])
        self.assertEqual([NODE1, NODE2], lb_agent.load_marks(self.marks))

    def test_command_with_a_separator_is_never_sent(self):
        result = self.handle(['set server %s state ready; show info'
                              % NODE1])
        self.assertTrue(result['failed'])
        self.assertIn('refusing runtime API command', result['msg'])
        self.assertEqual([], self.sent)

    def test_send_refuses_before_connecting(self):
        with mock.patch.object(socket, 'socket') as sock:
            self.assertRaises(ValueError, lb_agent.send, '/fake.sock',
                              'set server %s state ready\nshow info' % NODE1)
        sock.assert_not_called()


class WatchdogRestoreTestCase(AgentTestCase):

    def test_restore_keeps_what_it_could_not_set_ready(self):
        lb_agent.update_marks(add=[NODE1, NODE2], path=self.marks)
        self.answers['set server %s state ready' % NODE2] = (
            'Require admin level.\n')
        record = dict(lb_agent.load_record(self.marks), lease=5,
                      deadline=0)
        lb_agent.restore({'marks_file': self.marks, 'socket': self.marks,
                          'container': 'haproxy', 'socket_path': '/x'},
                         record)
        self.assertEqual([NODE2], lb_agent.load_marks(self.marks))
        with open(os.path.join(self.dir, lb_agent.WATCHDOG_LOG)) as stream:
            line = stream.read()
        self.assertIn('set ready: %s;' % NODE1, line)
        self.assertIn('failed, kept on record: %s (Require admin level.)'
                      % NODE2, line)
        self.assertIn('record kept for the next run', line)


class KeptDrainedTestCase(AgentTestCase):

    def test_watchdog_leaves_a_host_kept_drained_on_purpose(self):
        lb_agent.update_marks(add=[NODE1, NODE2], path=self.marks)
        self.handle([], {'keep': [NODE2]})
        record = dict(lb_agent.load_record(self.marks), lease=5,
                      deadline=0)
        self.assertEqual([NODE2], record['kept'])
        lb_agent.restore({'marks_file': self.marks, 'socket': self.marks,
                          'container': 'haproxy', 'socket_path': '/x'},
                         record)
        self.assertEqual(['set server %s state ready' % NODE1], self.sent)
        self.assertEqual([NODE2], lb_agent.load_marks(self.marks))

    def test_setting_ready_forgets_the_keep(self):
        lb_agent.update_marks(add=[NODE1], keep=[NODE1], path=self.marks)
        lb_agent.update_marks(remove=[NODE1], path=self.marks)
        lb_agent.update_marks(add=[NODE1], path=self.marks)
        self.assertEqual([], lb_agent.load_record(self.marks)['kept'])


class TimeoutTestCase(base.TestCase):

    def test_lock_held_elsewhere_times_out_naming_the_file(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'marks.json.lock')
        with open(path, 'a') as other:
            fcntl.flock(other, fcntl.LOCK_EX)
            exc = self.assertRaises(TimeoutError, lb_agent.locked(
                path, timeout=0.2).__enter__)
        self.assertIn(path, str(exc))

    def test_podman_is_asked_when_kolla_uses_podman(self):
        with mock.patch('subprocess.check_output',
                        return_value=b'[{"Mounts": [{"Destination": '
                                     b'"/var/lib/kolla/haproxy", "Source": '
                                     b'"/vol/haproxy_socket"}]}]') as inspect:
            path = lb_agent.socket_on_host(
                'haproxy', '/var/lib/kolla/haproxy/haproxy.sock', 'podman')
        self.assertEqual('/vol/haproxy_socket/haproxy.sock', path)
        self.assertEqual(['podman', 'inspect', '--type', 'container',
                          'haproxy'], inspect.call_args[0][0])

    def test_unknown_engine_is_refused_naming_the_variable(self):
        with mock.patch('subprocess.check_output') as inspect:
            exc = self.assertRaises(LookupError, lb_agent.socket_on_host,
                                    'haproxy', '/x/h.sock', 'containerd')
        inspect.assert_not_called()
        self.assertIn('kolla_container_engine', str(exc))

    def test_request_carries_the_engine_to_the_lookup(self):
        seen = []
        lb_agent.handle({'container': 'haproxy', 'socket_path': '/x',
                         'container_engine': 'podman', 'commands': []},
                        locate=lambda *args: seen.append(args) or '/s',
                        marks_file=os.path.join(
                            self.useFixture(fixtures.TempDir()).path, 'm'))
        self.assertEqual([('haproxy', '/x', 'podman')], seen)

    def test_docker_inspect_has_a_timeout(self):
        with mock.patch('subprocess.check_output',
                        return_value=b'[{"Mounts": []}]') as inspect:
            self.assertRaises(LookupError, lb_agent.socket_on_host,
                              'haproxy', '/var/lib/kolla/haproxy/h.sock')
        self.assertEqual(lb_agent.TIMEOUT, inspect.call_args[1]['timeout'])
