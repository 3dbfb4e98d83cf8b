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
"""Runtime API commands: names checked, success recognised positively."""

from kolla_zdu_plugin.haproxy import lb_agent
from kolla_zdu_plugin.haproxy import runtime
from tests.unit import base

READY = 'set server api_back/ctl1 state ready'


class AnsweredOkTestCase(base.TestCase):

    def test_each_command_has_its_success_answer(self):
        cases = [
            (READY, '\n', True),
            (READY, 'No such server.\n', False),
            ('add server a_back/n1_next 10.0.0.1:8080 check',
             'New server registered.\n', True),
            ('add server a_back/n1_next 10.0.0.1:8080 check', '\n', False),
            ('del server a_back/n1_next', 'Server deleted.\n', True),
            ('enable health a_back/n1_next', '\n', True),
            ('shutdown sessions server a_back/n1', '\n', True),
            ('show cli level', 'admin\n', True),
            ('show stat', '# pxname,svname,\n', True),
            ('show stat', 'Unknown command\n', False),
            ('show servers state api_back', '1\n# be_id be_name\n', True),
            ('show servers state api_back', "Can't find backend.\n",
             False),
        ]
        for command, answer, expected in cases:
            self.assertEqual(expected, lb_agent.answered_ok(command, answer),
                             (command, answer))

    def test_an_answer_never_seen_is_not_success(self):
        # A deny-list of error words took any other text for success.
        self.assertFalse(lb_agent.answered_ok(
            READY, 'Backend is using a static server-template.\n'))

    def test_a_command_the_plugin_never_sends_is_refused(self):
        self.assertRaises(ValueError, lb_agent.answered_ok,
                          'set server a_back/n1 addr 10.0.0.9', '\n')


class NameTestCase(base.TestCase):

    def test_kolla_names_pass(self):
        self.assertEqual(('keystone_internal_back', 'control01'),
                         runtime.split_name(
                             'keystone_internal_back/control01'))
        self.assertEqual('set server a-b.c/n:1 state drain',
                         runtime.set_state('a-b.c/n:1', runtime.DRAIN))

    def test_names_cannot_inject_a_second_command(self):
        for name in ('api_back/ctl1; shutdown sessions server api_back/ctl2',
                     'api_back/ctl1\nset server api_back/ctl2 state maint',
                     'api_back/ctl 1', 'api_back', '/ctl1', None):
            for build in (lambda n: runtime.set_state(n, runtime.READY),
                          runtime.enable_health, runtime.delete_server,
                          runtime.shutdown_sessions,
                          lambda n: runtime.add_server(n, '10.0.0.1', 80)):
                self.assertRaises(ValueError, build, name)

    def test_address_cannot_inject_either(self):
        self.assertRaises(ValueError, runtime.add_server, 'a_back/n1',
                          '10.0.0.1:80; del server a_back/n2', 80)
