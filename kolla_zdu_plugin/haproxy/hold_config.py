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
"""What HAProxy needs to hold requests during a buffered restart.

The buffer strategy restarts every instance of a service at once. HAProxy
answers 503 at once when no server of a backend is usable, so the plugin
installs a small Lua action that waits, in the backend, while no server is
usable and the outage is planned (a server is in DRAIN or MAINT). The bounds
sit in the backend lines: a held request waits at most ``max_hold_time``
seconds, at most ``max_held_requests`` wait at once, and beyond either bound
the client gets a 503 with ``Retry-After``. See
``doc/source/reference/buffer-mechanism.rst`` for the measurements behind
this choice.

The functions are pure: they return configuration text and runtime API
commands, and the callers install or run them. In a kolla deployment:

* :func:`global_config` goes to
  ``{{ node_custom_config }}/haproxy/services.d/00-zdu-hold.cfg``, which
  kolla templates into the haproxy container's ``services.d``;
* :data:`LUA_SCRIPT` goes to
  ``{{ node_config_directory }}/haproxy/services.d/zdu_hold.lua`` on every
  loadbalancer host (kolla copies only ``*.cfg`` from the custom directory,
  but copies the whole ``services.d`` into the container);
* :func:`globals_overrides` goes to ``globals.yml``.

The order of a buffered restart is :func:`hold_commands`, wait until
``scur`` is 0 on every server, :func:`stop_commands`, recreate the
containers, wait for their readiness probes, :func:`release_commands`.
"""

from kolla_zdu_plugin.haproxy import runtime

ACTION = 'zdu_hold'
LUA_FILE = 'zdu_hold.lua'
GLOBAL_FILE = '00-zdu-hold.cfg'
CONTAINER_SERVICES_DIR = '/etc/haproxy/services.d'
EXPIRED_VAR = 'txn.zdu_hold'
DEFAULT_RETRY_AFTER = 2
DEFAULT_POLL_INTERVAL_MS = 100
MAX_HOLD_TIME = 300
MAX_HELD_REQUESTS = 1000000
REASON_FULL = 'too many requests held, retry later'
REASON_EXPIRED = 'service restarting, retry later'
REASON_DOWN = 'service unavailable, retry later'

LUA_SCRIPT = """\
-- kolla_zdu_plugin buffer hold, generated; do not edit.
-- http-request lua.%(action)s <max_ms> <poll_ms>
-- Waits while the backend has no usable server and one of its servers is
-- in DRAIN or MAINT (a planned restart), at most <max_ms> milliseconds.
-- If no server is usable then, sets %(var)s to "expired".

local function now_ms()
    local now = core.now()
    return now.sec * 1000 + now.usec // 1000
end

local function planned(backend)
    for _, server in pairs(backend.servers) do
        local status = server:get_stats().status or ""
        if status:find("MAINT", 1, true) or status:find("DRAIN", 1, true) then
            return true
        end
    end
    return false
end

local function hold(txn, max_ms, poll_ms)
    max_ms, poll_ms = tonumber(max_ms), tonumber(poll_ms)
    if txn.f:nbsrv() > 0 then
        return
    end
    local backend = core.backends[txn.f:be_name()]
    if backend == nil or not planned(backend) then
        return
    end
    local deadline = now_ms() + max_ms
    while now_ms() < deadline do
        core.msleep(math.min(poll_ms, math.max(1, deadline - now_ms())))
        if txn.f:nbsrv() > 0 then
            return
        end
    end
    txn:set_var("%(var)s", "expired")
end

core.register_action("%(action)s", { "http-req" }, hold, 2)
""" % {'action': ACTION, 'var': EXPIRED_VAR}


def _check_bounds(max_hold_time, max_held_requests, retry_after,
                  poll_interval_ms):
    if not 1 <= int(max_hold_time) <= MAX_HOLD_TIME:
        raise ValueError('max_hold_time must be 1 to %d seconds, not %r'
                         % (MAX_HOLD_TIME, max_hold_time))
    if not 1 <= int(max_held_requests) <= MAX_HELD_REQUESTS:
        raise ValueError('max_held_requests must be 1 to %d, not %r'
                         % (MAX_HELD_REQUESTS, max_held_requests))
    if int(retry_after) < 1:
        raise ValueError('retry_after must be at least 1 second')
    if not 10 <= int(poll_interval_ms) <= 1000:
        raise ValueError('poll_interval_ms must be 10 to 1000')


def _return_503(retry_after, reason, condition):
    return ('http-request return status 503 content-type text/plain '
            'hdr Retry-After %d string "%s" if %s'
            % (retry_after, reason, condition))


def backend_lines(max_hold_time, max_held_requests,
                  retry_after=DEFAULT_RETRY_AFTER,
                  poll_interval_ms=DEFAULT_POLL_INTERVAL_MS):
    """Return the backend lines for ``haproxy_backend_http_extra``.

    The lines do nothing while a server of the backend is usable: the Lua
    action and both 503 rules only apply when ``nbsrv`` is 0.

    :param max_hold_time: seconds a request may be held.
    :param max_held_requests: requests held at once in one backend; the
        next one gets a 503 at once. ``be_conn`` counts the request being
        evaluated, and requests still finishing on draining servers.
    :param retry_after: the ``Retry-After`` seconds of every 503.
    :param poll_interval_ms: how often a held request looks for a server,
        which bounds the delay between the release and its departure.
    :returns: a list of configuration lines, without indentation.
    """
    _check_bounds(max_hold_time, max_held_requests, retry_after,
                  poll_interval_ms)
    return [
        _return_503(retry_after, REASON_FULL,
                    '{ nbsrv eq 0 } { be_conn gt %d }'
                    % int(max_held_requests)),
        'http-request lua.%s %d %d if { nbsrv eq 0 }'
        % (ACTION, int(max_hold_time) * 1000, int(poll_interval_ms)),
        _return_503(retry_after, REASON_EXPIRED,
                    '{ var(%s) -m str expired }' % EXPIRED_VAR),
        'http-error status 503 content-type text/plain hdr Retry-After %d '
        'string "%s"' % (retry_after, REASON_DOWN),
    ]


def is_hold_line(line):
    """Return whether ``line`` is one of the lines of :func:`backend_lines`."""
    return ('lua.%s ' % ACTION in line or EXPIRED_VAR in line
            or any('"%s"' % reason in line
                   for reason in (REASON_FULL, REASON_DOWN)))


def global_config(services_dir=CONTAINER_SERVICES_DIR):
    """Return ``00-zdu-hold.cfg``, which loads the Lua action.

    kolla runs ``haproxy -f haproxy.cfg -f services.d/``, which reads the
    ``*.cfg`` files of ``services.d`` in name order, so this file comes
    before every service file that uses the action.
    """
    return ('# kolla_zdu_plugin buffer hold, generated; do not edit.\n'
            'global\n'
            '    lua-load %s/%s\n' % (services_dir.rstrip('/'), LUA_FILE))


def globals_overrides(max_hold_time, max_held_requests, existing=(),
                      **kwargs):
    """Return the ``globals.yml`` variables the hold needs.

    :param existing: the current ``haproxy_backend_http_extra`` lines; the
        operator's own are kept before the hold lines, hold lines from an
        earlier call are replaced.
    :param kwargs: passed to :func:`backend_lines`.
    """
    lines = [line for line in existing if not is_hold_line(line)]
    lines += backend_lines(max_hold_time, max_held_requests, **kwargs)
    return {'haproxy_socket_level_admin': True,
            'haproxy_backend_http_extra': lines}


def hold_commands(servers):
    """Return the commands starting the hold: drain every server.

    New requests are held from the first command on; requests in progress
    finish on their server. Wait for ``scur`` 0 on every server, then run
    :func:`stop_commands`.
    """
    return [runtime.set_state(name, runtime.DRAIN) for name in servers]


def stop_commands(servers):
    """Return the commands to run once drained, before stopping servers."""
    return [runtime.set_state(name, runtime.MAINT) for name in servers]


def release_commands(servers):
    """Return the commands releasing held requests to ready servers.

    Run them only once the new containers pass their readiness probe; a
    server leaving MAINT is usable at once.
    """
    return [runtime.set_state(name, runtime.READY) for name in servers]
