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
"""Ansible action ``zdu_haproxy``: change HAProxy servers on one host.

It runs on the controller and reaches the loadbalancer host it is delegated
to over Ansible's own connection, where the small agent of
:mod:`kolla_zdu_plugin.haproxy.lb_agent` talks to the admin socket. Its
arguments are checked against :data:`ARGUMENT_SPEC`, which
``ansible/library/zdu_haproxy.py`` documents, and :class:`HaproxyWorker`
carries out the operation, as ``kolla_container`` and its worker do.
"""

import functools
import inspect
import json
import shlex

from ansible.plugins.action import ActionBase

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.haproxy import hold_config
from kolla_zdu_plugin.haproxy import lb_agent
from kolla_zdu_plugin.haproxy import operations
from kolla_zdu_plugin.haproxy import runtime
from kolla_zdu_plugin import run_report

_AGENT_SOURCE = inspect.getsource(lb_agent)

# The operations that only read, and so run in check mode too.
READ_ONLY = ('check', 'check_hold', 'wait_drained')

ARGUMENT_SPEC = {
    'operation': {'type': 'str', 'required': True,
                  'choices': ['add', 'check', 'check_hold', 'converge',
                              'delete', 'drain', 'keep', 'maint', 'ready',
                              'wait_drained']},
    'servers': {'type': 'list', 'elements': 'str', 'default': []},
    'new_servers': {'type': 'dict', 'default': {}},
    'address': {'type': 'str'},
    'container': {'type': 'str', 'default': 'haproxy'},
    'container_engine': {'type': 'str', 'default': lb_agent.DEFAULT_ENGINE,
                         'choices': list(lb_agent.ENGINES)},
    'socket_path': {'type': 'str',
                    'default': '/var/lib/kolla/haproxy/haproxy.sock'},
    'lease': {'type': 'float'},
    'timeout': {'type': 'float', 'default': 60},
    'poll_interval': {'type': 'float', 'default': 0.5},
    'temporary_suffix': {'type': 'str', 'default': '_zdu_next'},
    'config_dir': {'type': 'path'},
    'max_hold_time': {'type': 'int'},
    'max_held_requests': {'type': 'int'},
    'events_file': {'type': 'path'},
}
REQUIRED_IF = [
    ('operation', 'add', ('new_servers', 'address')),
    ('operation', 'check_hold', ('config_dir',)),
]


class HaproxyWorker(object):
    """Carry out one ``zdu_haproxy`` operation on one loadbalancer host.

    :param call: ``call(commands, marks=None, extra=None)``, one agent
        request on the host (see
        :mod:`~kolla_zdu_plugin.haproxy.operations`).
    :param host: the loadbalancer host, for messages.
    :param params: the checked arguments of the task.
    """

    def __init__(self, call, host, params):
        self.call = call
        self.host = host
        self.params = params
        self.servers = list(params['servers'])

    def run(self):
        """Return the task result of the operation."""
        operation = self.params['operation']
        if operation in runtime.STATES:
            return self.set_state(operation)
        return getattr(self, operation)()

    def check(self):
        return {'changed': False,
                'states': operations.check(self.call, self.host,
                                           self.servers),
                'operator_out': operations.operator_out(
                    self.call, self.host, self.servers)}

    def check_hold(self):
        backends = sorted({name.split('/', 1)[0] for name in self.servers})
        found = self.call([], None, {
            'hold_config_dir': self.params['config_dir'],
            'hold_marker': hold_config.ACTION})
        if found.get('failed'):
            raise exceptions.LoadBalancerError(host=self.host,
                                               reason=found['msg'])
        operations.check_hold(self.call, self.host, backends,
                              found.get('hold_bounds') or {},
                              self.params.get('max_hold_time'),
                              self.params.get('max_held_requests'))
        return {'changed': False}

    def set_state(self, state):
        left = operations.set_state(self.call, self.host, self.servers,
                                    state)
        return {'changed': len(left) < len(self.servers),
                'left_alone': left}

    def keep(self):
        operations.keep_out(self.call, self.host, self.servers)
        return {'changed': True}

    def wait_drained(self):
        waited, left = operations.wait_drained(
            self.call, self.host, self.servers, self.params['timeout'],
            self.params['poll_interval'])
        return {'changed': False, 'waited': round(waited, 2),
                'sessions_left': left}

    def add(self):
        operations.add_servers(self.call, self.host, {
            name: (self.params['address'], int(port))
            for name, port in self.params['new_servers'].items()})
        return {'changed': True}

    def delete(self):
        return {'changed': True,
                'deleted': operations.delete_servers(self.call, self.host,
                                                     self.servers)}

    def converge(self):
        suffix = self.params['temporary_suffix']
        restored, deleted = operations.converge(
            self.call, self.host, lambda server: server.endswith(suffix))
        return {'changed': bool(restored or deleted), 'restored': restored,
                'deleted': deleted}


class ActionModule(ActionBase):
    """Drain, restore, add or delete HAProxy servers on one host."""

    TRANSFERS_FILES = False
    _supports_check_mode = True

    def _agent_call(self, params, commands, marks=None, extra=None):
        request = {'container': params['container'],
                   'socket_path': params['socket_path'],
                   'container_engine': params['container_engine'],
                   'commands': commands, 'marks': marks or {}}
        if params.get('lease'):
            request['lease'] = float(params['lease'])
        request.update(extra or {})
        command = 'python3 -c %s %s' % (shlex.quote(_AGENT_SOURCE),
                                        lb_agent.encode(request))
        output = self._low_level_execute_command(command, sudoable=True)
        if output.get('rc') != 0:
            return {'failed': True,
                    'msg': 'the HAProxy agent failed (rc=%s): %s'
                           % (output.get('rc'),
                              (output.get('stderr') or '').strip()[-500:])}
        try:
            return json.loads(output.get('stdout') or '')
        except ValueError:
            return {'failed': True, 'msg': 'unreadable agent output: %r'
                                           % output.get('stdout', '')[:500]}

    def run(self, tmp=None, task_vars=None):
        """Run one operation; fail with the loadbalancer host named."""
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        _validated, params = self.validate_argument_spec(
            argument_spec=ARGUMENT_SPEC, required_if=REQUIRED_IF)
        host = (self._task.delegate_to
                or task_vars.get('inventory_hostname', '?'))
        if self._play_context.check_mode \
                and params['operation'] not in READ_ONLY:
            result.update(changed=True, msg='check mode: not changed')
            return result
        worker = HaproxyWorker(functools.partial(self._agent_call, params),
                               host, params)
        try:
            result.update(worker.run())
        except (exceptions.ZduError, ValueError) as exc:
            result.update(failed=True, changed=False, msg=str(exc))
        if params.get('events_file'):
            run_report.append_event(
                params['events_file'], host=host,
                operation=params['operation'], servers=worker.servers,
                waited=result.get('waited'),
                failed=bool(result.get('failed')))
        return result
