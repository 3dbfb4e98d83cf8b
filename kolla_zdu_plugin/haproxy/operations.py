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
"""What the plugin does to HAProxy servers, over a runtime API call.

Every function takes ``call(commands, marks=None)``, which runs runtime API
commands on one loadbalancer host and returns the agent's result (see
:mod:`kolla_zdu_plugin.haproxy.lb_agent`), so the logic here is tested
without Ansible and runs unchanged from the Ansible action plugin.
"""

import time

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.haproxy import runtime


def _checked(call, host, commands, marks=None, extra=None):
    """Make one agent call; raise unless every command worked.

    The agent itself fails a call whose command did not give its success
    answer (:func:`lb_agent.answered_ok`), naming the command and answer.
    """
    result = call(list(commands), marks, extra)
    if result.get('failed'):
        raise exceptions.LoadBalancerError(host=host, reason=result['msg'])
    return result


def stats(call, host):
    """Return ``show stat`` of ``host`` parsed by server."""
    result = _checked(call, host, [runtime.SHOW_STAT])
    return runtime.parse_stat(result['responses'][0])


def check(call, host, servers):
    """Check the socket is at admin level and knows every server.

    :raises: LoadBalancerError saying how to fix it.
    """
    result = _checked(call, host, [runtime.SHOW_LEVEL, runtime.SHOW_STAT])
    level = result['responses'][0].strip()
    if level != runtime.ADMIN_LEVEL:
        raise exceptions.LoadBalancerError(
            host=host,
            reason='the stats socket is at level "%s", draining needs '
                   '"admin"; set haproxy_socket_level_admin: true in '
                   'globals.yml and apply it with kolla-ansible reconfigure '
                   '-t loadbalancer before the upgrade' % (level or 'user'))
    known = runtime.parse_stat(result['responses'][1])
    missing = [name for name in servers if name not in known]
    if missing:
        raise exceptions.LoadBalancerError(
            host=host, reason='HAProxy has no server %s; is the HAProxy '
                              'configuration current (kolla-ansible '
                              'reconfigure -t loadbalancer)?'
                              % ', '.join(missing))
    return {name: runtime.status(known[name]) for name in servers}


def operator_out(call, host, servers):
    """Return the servers of ``servers`` the operator took out of service.

    :returns: those in MAINT or DRAIN that are not on the plugin's record,
        sorted, as the agent finds them.
    """
    result = _checked(call, host, [], None, {'operator_out_of': [
        runtime.check_name(name) for name in servers]})
    return result['operator_out']


def set_state(call, host, servers, state):
    """Set ``servers`` to ``state``; record those taken out of service.

    A server in MAINT or DRAIN that the plugin did not take out of service
    is the operator's: it is left as it is, and never set ready.

    :returns: the servers left alone.
    """
    if state not in runtime.STATES:
        raise ValueError('unknown server state %r' % state)
    change = {'servers': [runtime.check_name(name) for name in servers],
              'state': state}
    result = _checked(call, host, [], None, {'set_state': change})
    return result.get('left_alone') or []


def keep_out(call, host, servers):
    """Keep ``servers`` out of service until the next run, lease or not.

    For a failed host left drained on purpose; the next run's converge
    step puts them back.
    """
    _checked(call, host, [], {'keep': [runtime.check_name(name)
                                       for name in servers]})


def wait_drained(call, host, servers, timeout, poll_interval,
                 clock=time.monotonic, sleep=time.sleep):
    """Wait until no session is left on ``servers``, at most ``timeout``.

    :returns: ``(seconds waited, {server: sessions left})``; an empty dict
        means fully drained.
    """
    start = clock()
    while True:
        rows = stats(call, host)
        left = {name: runtime.current_sessions(rows[name])
                for name in servers if name in rows}
        left = {name: count for name, count in left.items() if count}
        elapsed = clock() - start
        if not left or elapsed >= timeout:
            return elapsed, left
        sleep(poll_interval)


def add_servers(call, host, servers):
    """Add dynamic servers, ``{name: (address, port)}``, and make them ready.

    The servers are recorded as the plugin's temporary ones, so an
    interrupted run removes them and the lease watchdog leaves them alone.
    """
    commands = []
    for name, (address, port) in sorted(servers.items()):
        commands += [runtime.add_server(name, address, port),
                     runtime.enable_health(name),
                     runtime.set_state(name, runtime.READY)]
    _checked(call, host, commands, {'add': sorted(servers),
                                    'temporary': True})


def delete_servers(call, host, servers):
    """Take dynamic servers out and delete them, if they exist."""
    known = stats(call, host)
    present = [name for name in servers if name in known]
    commands = []
    for name in present:
        commands += [runtime.set_state(name, runtime.MAINT),
                     runtime.shutdown_sessions(name),
                     runtime.delete_server(name)]
    _checked(call, host, commands, {'remove': list(servers)})
    return present


# Seconds converge lets requests finish on a temporary server it deletes.
CONVERGE_DRAIN_TIMEOUT = 10


def converge(call, host, is_temporary, drain_timeout=CONVERGE_DRAIN_TIMEOUT):
    """Undo what an interrupted run left on ``host``.

    Temporary parallel servers are drained (at most ``drain_timeout``
    seconds) and deleted first, then the servers the plugin took out of
    service are made ready again (their health checks still guard them).
    In that order the old and the new version never serve together: after
    a buffered cut-over only the temporary servers serve, and while none
    is left the hold keeps requests.

    :param is_temporary: tells a temporary server name from a kolla one.
    :returns: ``(servers made ready, servers deleted)``.
    """
    marks = call([], {'read': True}).get('marks') or []
    known = stats(call, host)
    temporary = [name for name in known if is_temporary(name)]
    restored = [name for name in marks
                if name in known and not is_temporary(name)]
    deleted = []
    if temporary:
        set_state(call, host, temporary, runtime.DRAIN)
        wait_drained(call, host, temporary, drain_timeout, 0.2)
        deleted = delete_servers(call, host, temporary)
    if restored:
        set_state(call, host, restored, runtime.READY)
    stale = [name for name in marks if name not in known]
    if stale:
        call([], {'remove': stale})
    return restored, deleted


def check_hold(call, host, backends, found, max_hold_time=None,
               max_held_requests=None):
    """Check every backend of ``backends`` holds requests as planned.

    :param found: ``{backend: {'max_hold_ms', 'max_held'}}`` of the
        backends whose rendered configuration has the hold action, as the
        agent found them.
    :param max_hold_time: the plan's ``[buffer] max_hold_time``, compared
        when given.
    :param max_held_requests: the plan's ``[buffer] max_held_requests``,
        compared when given.
    :raises: LoadBalancerError naming the backends and how to fix it.
    """
    missing = sorted(set(backends) - set(found))
    if missing:
        raise exceptions.LoadBalancerError(
            host=host,
            reason='backend %s cannot hold requests: the buffer strategy '
                   'needs the hold configuration of kolla-zdu-plugin '
                   '(haproxy_backend_http_extra lines and the zdu_hold '
                   'files in services.d, see the "buffer mechanism" '
                   'reference), applied with kolla-ansible reconfigure '
                   '-t loadbalancer before the upgrade; or choose '
                   'another strategy' % ', '.join(missing))
    differing = []
    for backend in sorted(backends):
        bounds = found[backend]
        running = (bounds.get('max_hold_ms'), bounds.get('max_held'))
        planned = (None if max_hold_time is None
                   else int(max_hold_time) * 1000,
                   None if max_held_requests is None
                   else int(max_held_requests))
        if any(want is not None and have != want
               for have, want in zip(running, planned)):
            differing.append('%s holds at most %s s and %s requests'
                             % (backend, _seconds(running[0]),
                                running[1]))
    if differing:
        raise exceptions.LoadBalancerError(
            host=host,
            reason='%s, but the plan applies [buffer] max_hold_time %s s '
                   'and max_held_requests %s: render the hold lines again '
                   'from zdu.conf (haproxy_backend_http_extra) and run '
                   'kolla-ansible reconfigure -t loadbalancer, or set the '
                   'options to what HAProxy runs'
                   % ('; '.join(differing), max_hold_time,
                      max_held_requests))


def _seconds(milliseconds):
    return '?' if milliseconds is None else '%g' % (milliseconds / 1000.0)
