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
"""The candidate hold mechanisms, as the bench installs and drives them.

Each mechanism gives the backend lines and ``services.d`` files it needs
(what ``haproxy_backend_http_extra`` and the plugin would install), and the
runtime API steps before the servers stop (:meth:`Mechanism.hold`) and once
the new servers are ready (:meth:`Mechanism.release`).
"""

import logging
import time

from kolla_zdu_plugin.haproxy import hold_config
from kolla_zdu_plugin.haproxy import runtime

LOG = logging.getLogger(__name__)

DRAIN_TIMEOUT = 30.0


def retry_lines(max_hold_time, max_held_requests, retry_after):
    """Return candidate A's lines: L7 retries spaced by timeout connect."""
    return [
        'retries %d' % max_hold_time,
        'retry-on conn-failure empty-response response-timeout',
        'timeout connect 1s',
        'http-request return status 503 content-type text/plain '
        'hdr Retry-After %d string "too many requests held" '
        'if { be_conn gt %d }' % (retry_after, max_held_requests),
        'http-error status 503 content-type text/plain '
        'hdr Retry-After %d string "service unavailable"' % retry_after,
    ]


def wait_drained(lab, servers, timeout=DRAIN_TIMEOUT):
    """Wait until ``servers`` have no session left; return the seconds."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        rows = lab.stat()
        if not any(runtime.current_sessions(rows[name]) for name in servers):
            break
        time.sleep(0.05)
    return time.monotonic() - start


class Mechanism(object):
    """kolla as it is: drain, MAINT, and 503 at once while none is up."""

    name = 'kolla'
    summary = 'kolla defaults, drain + MAINT (no hold)'
    drains = True

    def __init__(self, max_hold_time, max_held_requests, retry_after=2):
        self.max_hold_time = max_hold_time
        self.max_held_requests = max_held_requests
        self.retry_after = retry_after

    def backend_lines(self):
        """Return the lines added to the backend."""
        return []

    def extra_files(self, services_dir):
        """Return ``{name: text}`` to write in ``services_dir``."""
        return {}

    def hold(self, lab):
        """Prepare the servers to stop; return the drain seconds."""
        self.run(lab, [runtime.set_state(n, runtime.DRAIN)
                       for n in lab.servers])
        drained = wait_drained(lab, lab.servers)
        self.run(lab, [runtime.set_state(n, runtime.MAINT)
                       for n in lab.servers])
        return drained

    def release(self, lab):
        """Give the ready servers back to HAProxy."""
        self.run(lab, [runtime.set_state(n, runtime.READY)
                       for n in lab.servers])

    @staticmethod
    def run(lab, commands):
        """Run runtime API commands in order."""
        for command in commands:
            LOG.debug('runtime API: %s', command)
            lab.command(command)


class Retry(Mechanism):
    """Candidate A: servers kept UP (health disabled), L7 retries."""

    name = 'retry'
    summary = 'A: disable health on all servers, retries N'
    drains = False

    def backend_lines(self):
        return retry_lines(self.max_hold_time, self.max_held_requests,
                           self.retry_after)

    def hold(self, lab):
        self.run(lab, ['disable health %s' % n for n in lab.servers])
        return 0.0

    def release(self, lab):
        self.run(lab, ['enable health %s' % n for n in lab.servers])


class RetryAnchor(Retry):
    """Candidate A2: one server kept UP, the others drained to MAINT.

    With one usable server HAProxy 2.6 spaces its retries by
    min(timeout connect, 1 s); with several under roundrobin it
    redispatches at once and the retries are spent in milliseconds.
    """

    name = 'retry-anchor'
    summary = 'A2: others drained to MAINT, disable health on one, retries N'

    def hold(self, lab):
        anchor, others = lab.servers[0], lab.servers[1:]
        self.run(lab, [runtime.set_state(n, runtime.DRAIN) for n in others])
        drained = wait_drained(lab, others)
        self.run(lab, [runtime.set_state(n, runtime.MAINT) for n in others]
                 + ['disable health %s' % anchor])
        return drained

    def release(self, lab):
        anchor, others = lab.servers[0], lab.servers[1:]
        self.run(lab, ['enable health %s' % anchor]
                 + [runtime.set_state(n, runtime.READY) for n in others])


class LuaHold(Mechanism):
    """Candidate B: a Lua action waits while no server is usable."""

    name = 'lua'
    summary = 'B: drain + MAINT, Lua action polls nbsrv'

    def backend_lines(self):
        return hold_config.backend_lines(
            self.max_hold_time, self.max_held_requests, self.retry_after)

    def extra_files(self, services_dir):
        """Return the Lua file and the global section that loads it."""
        return {hold_config.LUA_FILE: hold_config.LUA_SCRIPT,
                hold_config.GLOBAL_FILE: hold_config.global_config(
                    services_dir)}

    def hold(self, lab):
        self.run(lab, hold_config.hold_commands(lab.servers))
        drained = wait_drained(lab, lab.servers)
        self.run(lab, hold_config.stop_commands(lab.servers))
        return drained

    def release(self, lab):
        self.run(lab, hold_config.release_commands(lab.servers))


MECHANISMS = {cls.name: cls for cls in (Mechanism, Retry, RetryAnchor,
                                        LuaHold)}
