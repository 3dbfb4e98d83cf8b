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
"""The ``zdu_haproxy`` action, every operation, with docker and podman.

The action runs as Ansible runs it, but its command on the loadbalancer
host is carried out here: the agent finds the admin socket of a real
HAProxy on loopback through a fake ``docker`` or ``podman`` that answers
``inspect`` with the container's volume, as kolla's haproxy container has.
"""

import json
import os
import shlex
import sys
from unittest import mock

from ansible.errors import AnsibleActionFail
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
import fixtures
import yaml

from kolla_zdu_plugin.ansible_plugins import zdu_haproxy
from kolla_zdu_plugin.haproxy import lb_agent
from kolla_zdu_plugin.haproxy import runtime
from kolla_zdu_plugin.playbook import workspace
from tests.unit import base
from tests.unit.haproxy import fixtures as haproxy_fixtures

NODE1 = 'api_back/node1'
NODE2 = 'api_back/node2'
SOCKET_DIR = '/var/lib/kolla/haproxy'
FAKE_ENGINE = '''#!%(python)s
import json, os, sys
with open(os.environ['FAKE_ENGINE_LOG'], 'a') as stream:
    stream.write(json.dumps([os.path.basename(sys.argv[0])] + sys.argv[1:])
                 + '\\n')
assert sys.argv[1:] == ['inspect', '--type', 'container', 'haproxy']
print(json.dumps([{'Mounts': [{'Destination': %(destination)r,
                               'Source': %(source)r}]}]))
'''


def _documented_options():
    path = os.path.join(workspace.plugin_ansible_dir(), 'library',
                        'zdu_haproxy.py')
    namespace = {}
    with open(path) as stream:
        exec(compile(stream.read(), path, 'exec'), namespace)
    return yaml.safe_load(namespace['DOCUMENTATION'])['options']


class DocumentationTestCase(base.TestCase):

    def test_documentation_follows_the_argument_spec(self):
        documented = _documented_options()
        self.assertEqual(sorted(zdu_haproxy.ARGUMENT_SPEC), sorted(documented))
        for name, spec in zdu_haproxy.ARGUMENT_SPEC.items():
            doc = documented[name]
            for key in ('type', 'default', 'choices', 'elements'):
                self.assertEqual(spec.get(key), doc.get(key),
                                 '%s of option %s' % (key, name))
            self.assertEqual(bool(spec.get('required')),
                             bool(doc.get('required')), name)


class ActionTestCase(base.TestCase):
    """Every operation through the action, once per container engine."""

    engine = 'docker'

    def setUp(self):
        super().setUp()
        self.haproxy = self.useFixture(haproxy_fixtures.HAProxyFixture())
        self.watchdogs = self.useFixture(haproxy_fixtures.WatchdogsFixture())
        volume = os.path.join(self.haproxy.dir, 'volume')
        os.mkdir(volume)
        os.symlink(self.haproxy.admin_socket,
                   os.path.join(volume, 'haproxy.sock'))
        bin_dir = os.path.join(self.haproxy.dir, 'bin')
        os.mkdir(bin_dir)
        for engine in lb_agent.ENGINES:
            path = os.path.join(bin_dir, engine)
            with open(path, 'w') as stream:
                stream.write(FAKE_ENGINE % {'python': sys.executable,
                                            'destination': SOCKET_DIR,
                                            'source': volume})
            os.chmod(path, 0o755)
        self.engine_log = os.path.join(self.haproxy.dir, 'engine.log')
        self.useFixture(fixtures.EnvironmentVariable(
            'FAKE_ENGINE_LOG', self.engine_log))
        self.useFixture(fixtures.EnvironmentVariable(
            'PATH', bin_dir + os.pathsep + os.environ['PATH']))
        self.marks = os.path.join(self.haproxy.dir, 'kolla-zdu',
                                  'marks.json')
        os.makedirs(os.path.dirname(self.marks))
        self.useFixture(fixtures.MonkeyPatch(
            'kolla_zdu_plugin.haproxy.lb_agent.systemd_run', lambda: None))
        self.events = os.path.join(self.haproxy.dir, 'events.jsonl')

    def execute(self, command, sudoable=False):
        """Stand in for the loadbalancer host: run the agent's request."""
        words = shlex.split(command)
        self.assertEqual(['python3', '-c'], words[:2])
        request = lb_agent.decode(words[3])
        result = lb_agent.handle(request, marks_file=self.marks)
        if isinstance(result.get('watchdog'), int):
            self.watchdogs.track(result['watchdog'])
        return {'rc': 0, 'stdout': json.dumps(result), 'stderr': ''}

    def run_action(self, check_mode=False, **args):
        args.setdefault('container_engine', self.engine)
        args.setdefault('events_file', self.events)
        task = Task()
        task.args = args
        task.delegate_to = 'lb1'
        context = PlayContext()
        context.check_mode = check_mode
        action = zdu_haproxy.ActionModule(
            task, mock.MagicMock(), context, mock.MagicMock(),
            mock.MagicMock(), mock.MagicMock())
        action._low_level_execute_command = self.execute
        return action.run(task_vars={'inventory_hostname': 'ctl1'})

    def states(self):
        rows = runtime.parse_stat(lb_agent.send(self.haproxy.admin_socket,
                                                runtime.SHOW_STAT))
        return {name: runtime.status(row) for name, row in rows.items()}

    def engines_used(self):
        with open(self.engine_log) as stream:
            return {json.loads(line)[0] for line in stream}

    def test_check_reads_every_server(self):
        result = self.run_action(operation='check', servers=[NODE1, NODE2])
        self.assertFalse(result.get('failed'), result)
        self.assertEqual({NODE1, NODE2}, set(result['states']))
        self.assertEqual([], result['operator_out'])
        self.assertEqual({self.engine}, self.engines_used())

    def test_drain_wait_maint_keep_ready(self):
        before = self.states()[NODE1]
        result = self.run_action(operation='drain', servers=[NODE1],
                                 lease=60)
        self.assertTrue(result['changed'], result)
        self.assertEqual('DRAIN', self.states()[NODE1])
        result = self.run_action(operation='wait_drained', servers=[NODE1],
                                 timeout=5, poll_interval=0.1)
        self.assertEqual({}, result['sessions_left'])
        self.run_action(operation='maint', servers=[NODE1], lease=60)
        self.assertEqual('MAINT', self.states()[NODE1])
        self.run_action(operation='keep', servers=[NODE1], lease=60)
        self.assertEqual([NODE1], lb_agent.load_record(self.marks)['kept'])
        self.run_action(operation='ready', servers=[NODE1], lease=60)
        self.assertEqual(before, self.states()[NODE1])
        self.assertEqual([], lb_agent.load_marks(self.marks))
        with open(self.events) as stream:
            operations = [json.loads(line)['operation'] for line in stream]
        self.assertEqual(['drain', 'wait_drained', 'maint', 'keep',
                          'ready'], operations)
        self.assertEqual({self.engine}, self.engines_used())

    def test_add_then_delete_a_temporary_server(self):
        name = 'api_back/node1_zdu_next'
        result = self.run_action(
            operation='add', address='127.0.0.1',
            new_servers={name: self.haproxy.backend_port}, lease=60)
        self.assertFalse(result.get('failed'), result)
        self.assertIn(name, self.states())
        result = self.run_action(operation='delete', servers=[name])
        self.assertEqual([name], result['deleted'])
        self.assertNotIn(name, self.states())

    def test_converge_restores_and_deletes(self):
        name = 'api_back/node2_zdu_next'
        self.run_action(operation='add', address='127.0.0.1',
                        new_servers={name: self.haproxy.backend_port},
                        lease=60)
        self.run_action(operation='drain', servers=[NODE2], lease=60)
        result = self.run_action(operation='converge')
        self.assertEqual([NODE2], result['restored'])
        self.assertEqual([name], result['deleted'])
        self.assertNotEqual('DRAIN', self.states()[NODE2])

    def test_check_hold_names_the_backend_without_the_hold(self):
        config = os.path.join(self.haproxy.dir, 'config')
        os.mkdir(config)
        result = self.run_action(operation='check_hold', servers=[NODE1],
                                 config_dir=config)
        self.assertTrue(result['failed'])
        self.assertIn('backend api_back cannot hold requests', result['msg'])

    def test_check_mode_changes_nothing(self):
        before = self.states()[NODE1]
        result = self.run_action(check_mode=True, operation='drain',
                                 servers=[NODE1], lease=60)
        self.assertTrue(result['changed'])
        self.assertEqual(before, self.states()[NODE1])
        result = self.run_action(check_mode=True, operation='check',
                                 servers=[NODE1])
        self.assertIn(NODE1, result['states'])

    def test_bad_arguments_are_named(self):
        exc = self.assertRaises(AnsibleActionFail, self.run_action,
                                operation='teleport')
        self.assertIn('operation', str(exc))
        exc = self.assertRaises(AnsibleActionFail, self.run_action,
                                operation='add', new_servers={})
        self.assertIn('address', str(exc))
        exc = self.assertRaises(AnsibleActionFail, self.run_action,
                                operation='check', container_engine='lxc')
        self.assertIn('container_engine', str(exc))

    def test_a_server_name_that_smuggles_a_command_is_refused(self):
        result = self.run_action(operation='drain',
                                 servers=['api_back/node1;shutdown'])
        self.assertTrue(result['failed'])
        self.assertIn("server name 'api_back/node1;shutdown' is not",
                      result['msg'])
        self.assertEqual({}, {n: s for n, s in self.states().items()
                              if s == 'DRAIN'})


class PodmanActionTestCase(ActionTestCase):
    """The same operations with kolla_container_engine: podman."""

    engine = 'podman'
