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
:mod:`kolla_zdu_plugin.haproxy.lb_agent` talks to the admin socket.
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


def _operation(call, host, args):
    """Dispatch to :mod:`~kolla_zdu_plugin.haproxy.operations`."""
    name = args['operation']
    servers = list(args.get('servers') or ())
    if name == 'check':
        return {'changed': False,
                'states': operations.check(call, host, servers),
                'operator_out': operations.operator_out(call, host,
                                                        servers)}
    if name == 'check_hold':
        backends = sorted({server.split('/', 1)[0] for server in servers})
        found = call([], None, {'hold_config_dir': args['config_dir'],
                                'hold_marker': hold_config.ACTION})
        if found.get('failed'):
            raise exceptions.LoadBalancerError(host=host,
                                               reason=found['msg'])
        operations.check_hold(call, host, backends,
                              found.get('holding_backends') or [])
        return {'changed': False}
    if name in runtime.STATES:
        left = operations.set_state(call, host, servers, name)
        return {'changed': len(left) < len(servers), 'left_alone': left}
    if name == 'keep':
        operations.keep_out(call, host, servers)
        return {'changed': True}
    if name == 'wait_drained':
        waited, left = operations.wait_drained(
            call, host, servers, float(args.get('timeout', 60)),
            float(args.get('poll_interval', 0.5)))
        return {'changed': False, 'waited': round(waited, 2),
                'sessions_left': left}
    if name == 'add':
        new = {n: (args['address'], int(port))
               for n, port in (args.get('new_servers') or {}).items()}
        operations.add_servers(call, host, new)
        return {'changed': True}
    if name == 'delete':
        return {'changed': True,
                'deleted': operations.delete_servers(call, host, servers)}
    if name == 'converge':
        suffix = args.get('temporary_suffix') or '_zdu_next'
        restored, deleted = operations.converge(
            call, host, lambda server: server.endswith(suffix))
        return {'changed': bool(restored or deleted), 'restored': restored,
                'deleted': deleted}
    raise exceptions.ZduError('unknown zdu_haproxy operation %r' % name)


class ActionModule(ActionBase):
    """Drain, restore, add or delete HAProxy servers on one host."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('operation', 'servers', 'new_servers',
                             'container', 'container_engine',
                             'socket_path', 'timeout',
                             'poll_interval', 'temporary_suffix',
                             'events_file', 'config_dir', 'lease',
                             'address'))

    def _agent_call(self, container, socket_path, commands, marks=None,
                    extra=None, lease=None, engine=lb_agent.DEFAULT_ENGINE):
        request = {'container': container, 'socket_path': socket_path,
                   'container_engine': engine,
                   'commands': commands, 'marks': marks or {}}
        if lease:
            request['lease'] = float(lease)
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
        args = self._task.args
        task_vars = task_vars or {}
        host = (self._task.delegate_to
                or task_vars.get('inventory_hostname', '?'))
        if self._play_context.check_mode and args.get('operation') not in (
                'check', 'wait_drained'):
            result.update(changed=True, skipped=False,
                          msg='check mode: not changed')
            return result
        call = functools.partial(self._agent_call,
                                 args.get('container', 'haproxy'),
                                 args.get('socket_path',
                                          '/var/lib/kolla/haproxy/'
                                          'haproxy.sock'),
                                 lease=args.get('lease'),
                                 engine=args.get('container_engine')
                                 or lb_agent.DEFAULT_ENGINE)
        try:
            result.update(_operation(call, host, args))
        except exceptions.ZduError as exc:
            result.update(failed=True, changed=False, msg=str(exc))
        if args.get('events_file'):
            run_report.append_event(
                args['events_file'], host=host,
                operation=args.get('operation'),
                servers=list(args.get('servers') or ()),
                waited=result.get('waited'),
                failed=bool(result.get('failed')))
        return result
