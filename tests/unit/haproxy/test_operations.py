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
"""The runtime client and operations against a real HAProxy."""

import os

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.haproxy import hold_config
from kolla_zdu_plugin.haproxy import lb_agent
from kolla_zdu_plugin.haproxy import operations
from kolla_zdu_plugin.haproxy import runtime
from tests.unit import base
from tests.unit.haproxy import fixtures as haproxy_fixtures

NODE1 = 'api_back/node1'
NODE2 = 'api_back/node2'


class OperationsTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.haproxy = self.useFixture(haproxy_fixtures.HAProxyFixture())
        self.marks = os.path.join(self.haproxy.dir, 'marks.json')
        self.socket = self.haproxy.admin_socket

    def call(self, commands, marks=None, extra=None):
        request = {'container': 'haproxy', 'socket_path': '/ignored',
                   'commands': commands, 'marks': marks or {}}
        request.update(extra or {})
        return lb_agent.handle(request, locate=lambda c, p, e: self.socket,
                               marks_file=self.marks)

    def states(self):
        rows = operations.stats(self.call, 'lb1')
        return {name: runtime.status(rows[name]) for name in (NODE1, NODE2)}

    def test_check_admin_socket(self):
        states = operations.check(self.call, 'lb1', [NODE1, NODE2])
        self.assertEqual({NODE1, NODE2}, set(states))

    def test_check_refuses_user_level_and_says_how(self):
        self.socket = self.haproxy.user_socket
        exc = self.assertRaises(exceptions.LoadBalancerError,
                                operations.check, self.call, 'lb1', [NODE1])
        self.assertIn('lb1', str(exc))
        self.assertIn('haproxy_socket_level_admin: true', str(exc))

    def test_check_names_missing_server(self):
        exc = self.assertRaises(exceptions.LoadBalancerError,
                                operations.check, self.call, 'lb1',
                                ['api_back/node9'])
        self.assertIn('api_back/node9', str(exc))

    def test_missing_socket(self):
        self.socket = os.path.join(self.haproxy.dir, 'nope.sock')
        exc = self.assertRaises(exceptions.LoadBalancerError,
                                operations.stats, self.call, 'lb1')
        self.assertIn('nope.sock', str(exc))

    def test_drain_wait_and_ready_are_recorded(self):
        operations.set_state(self.call, 'lb1', [NODE1], runtime.DRAIN)
        self.assertEqual('DRAIN', self.states()[NODE1])
        self.assertEqual([NODE1], lb_agent.load_marks(self.marks))
        _waited, left = operations.wait_drained(self.call, 'lb1', [NODE1],
                                                timeout=30, poll_interval=0.1)
        self.assertEqual({}, left)
        operations.set_state(self.call, 'lb1', [NODE1], runtime.READY)
        self.assertNotIn(self.states()[NODE1], ('DRAIN', 'MAINT'))
        self.assertEqual([], lb_agent.load_marks(self.marks))

    def test_unknown_server_is_an_error(self):
        exc = self.assertRaises(exceptions.LoadBalancerError,
                                operations.set_state, self.call, 'lb1',
                                ['api_back/node9'], runtime.DRAIN)
        self.assertIn('"set server api_back/node9 state drain" answered '
                      '"No such server.', str(exc))

    def test_add_and_delete_dynamic_server(self):
        name = 'api_back/node1_zdu_next'
        operations.add_servers(self.call, 'lb1', {
            name: ('127.0.0.1', self.haproxy.backend_port)})
        self.assertIn(name, operations.stats(self.call, 'lb1'))
        self.assertEqual([name], operations.delete_servers(
            self.call, 'lb1', [name]))
        self.assertNotIn(name, operations.stats(self.call, 'lb1'))

    def test_converge_after_interrupted_run(self):
        operations.set_state(self.call, 'lb1', [NODE1], runtime.DRAIN)
        operations.set_state(self.call, 'lb1', [NODE2], runtime.MAINT)
        operations.add_servers(self.call, 'lb1', {
            'api_back/node2_zdu_next': ('127.0.0.1',
                                        self.haproxy.backend_port)})
        restored, deleted = operations.converge(
            self.call, 'lb1', lambda name: name.endswith('_zdu_next'))
        self.assertEqual({NODE1, NODE2}, set(restored))
        self.assertEqual(['api_back/node2_zdu_next'], deleted)
        self.assertNotIn('DRAIN', self.states().values())
        self.assertNotIn('MAINT', self.states().values())
        self.assertEqual([], lb_agent.load_marks(self.marks))
        self.assertEqual(([], []), operations.converge(
            self.call, 'lb1', lambda name: name.endswith('_zdu_next')))

    def test_converge_deletes_the_new_version_before_readying_the_old(self):
        operations.set_state(self.call, 'lb1', [NODE1, NODE2],
                             runtime.MAINT)
        operations.keep_out(self.call, 'lb1', [NODE1, NODE2])
        operations.add_servers(self.call, 'lb1', {
            'api_back/node1_zdu_next': ('127.0.0.1',
                                        self.haproxy.backend_port)})
        sent = []

        def recording(commands, marks=None, extra=None):
            sent.extend(commands)
            change = (extra or {}).get('set_state') or {}
            if change.get('state') == runtime.READY:
                sent.extend('ready %s' % name for name in change['servers'])
            return self.call(commands, marks, extra)

        operations.converge(recording, 'lb1',
                            lambda name: name.endswith('_zdu_next'))
        deleted = sent.index('del server api_back/node1_zdu_next')
        readied = min(sent.index('ready %s' % name)
                      for name in (NODE1, NODE2))
        self.assertLess(deleted, readied)

    def test_servers_state_of_one_backend_is_read(self):
        for command in ('show servers state', 'show servers state api_back'):
            result = self.call([command])
            self.assertFalse(result['failed'], result)
            self.assertIn(' api_back 1 node1 ', result['responses'][0])

    def test_operator_maintenance_is_left_alone(self):
        self.call(['set server %s state maint' % NODE2])
        operations.converge(self.call, 'lb1',
                            lambda name: name.endswith('_zdu_next'))
        self.assertEqual('MAINT', self.states()[NODE2])

    def test_drain_and_ready_leave_the_operators_maintenance(self):
        # NODE2 was taken out on purpose before the run: a run draining
        # and restoring every server must leave it in maintenance.
        self.call(['set server %s state maint' % NODE2])
        left = operations.set_state(self.call, 'lb1', [NODE1, NODE2],
                                    runtime.DRAIN)
        self.assertEqual([NODE2], left)
        self.assertEqual({NODE1: 'DRAIN', NODE2: 'MAINT'}, self.states())
        self.assertEqual([NODE1], lb_agent.load_marks(self.marks))
        left = operations.set_state(self.call, 'lb1', [NODE1, NODE2],
                                    runtime.READY)
        self.assertEqual([NODE2], left)
        self.assertEqual('MAINT', self.states()[NODE2])
        self.assertNotIn(self.states()[NODE1], ('DRAIN', 'MAINT'))
        self.assertEqual([], lb_agent.load_marks(self.marks))

    def test_operator_out_is_what_the_plugin_did_not_take_out(self):
        self.call(['set server %s state maint' % NODE2])
        operations.set_state(self.call, 'lb1', [NODE1], runtime.DRAIN)
        self.assertEqual([NODE2], operations.operator_out(
            self.call, 'lb1', [NODE1, NODE2]))

    def test_operators_drain_is_not_turned_into_maint(self):
        self.call(['set server %s state drain' % NODE1])
        left = operations.set_state(self.call, 'lb1', [NODE1], runtime.MAINT)
        self.assertEqual([NODE1], left)
        self.assertEqual('DRAIN', self.states()[NODE1])

    def test_a_server_the_plugin_drained_is_set_ready(self):
        operations.set_state(self.call, 'lb1', [NODE1], runtime.DRAIN)
        operations.set_state(self.call, 'lb1', [NODE1], runtime.MAINT)
        self.assertEqual([], operations.set_state(self.call, 'lb1', [NODE1],
                                                  runtime.READY))
        self.assertNotIn(self.states()[NODE1], ('DRAIN', 'MAINT'))


class HoldCheckTestCase(base.TestCase):

    def write_backends(self, lines):
        services = os.path.join(self.config_dir, 'services.d')
        os.mkdir(services)
        with open(os.path.join(services, 'demo.cfg'), 'w') as stream:
            stream.write('frontend demo_front\n    mode http\n'
                         '    http-request lua.zdu_hold 1 if x\n'
                         'backend demo_back\n    mode http\n')
            stream.writelines('    %s\n' % line for line in lines)
            stream.write('backend other_back\n    mode http\n')
        return lb_agent.hold_bounds(self.config_dir, hold_config.ACTION)

    def test_backends_with_the_hold_action(self):
        found = self.write_backends(hold_config.backend_lines(20, 500))
        self.assertEqual({'demo_back': {'max_hold_ms': 20000,
                                        'max_held': 500}}, found)
        operations.check_hold(None, 'lb1', ['demo_back'], found, 20, 500)
        exc = self.assertRaises(exceptions.LoadBalancerError,
                                operations.check_hold, None, 'lb1',
                                ['demo_back', 'other_back'], found)
        self.assertIn('other_back', str(exc))
        self.assertIn('reconfigure -t loadbalancer', str(exc))

    def test_running_bounds_other_than_the_plan_are_refused(self):
        found = self.write_backends(hold_config.backend_lines(30, 500))
        exc = self.assertRaises(exceptions.LoadBalancerError,
                                operations.check_hold, None, 'lb1',
                                ['demo_back'], found, 20, 500)
        self.assertIn('demo_back holds at most 30 s and 500 requests, but '
                      'the plan applies [buffer] max_hold_time 20 s and '
                      'max_held_requests 500', str(exc))
        exc = self.assertRaises(exceptions.LoadBalancerError,
                                operations.check_hold, None, 'lb1',
                                ['demo_back'], found, 30, 2000)
        self.assertIn('max_held_requests 2000', str(exc))
