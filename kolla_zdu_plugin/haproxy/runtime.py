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
"""HAProxy runtime API commands and the parsing of their answers."""

import re

from kolla_zdu_plugin.haproxy import lb_agent

ADMIN_LEVEL = 'admin'
READY = 'ready'
DRAIN = 'drain'
MAINT = 'maint'
STATES = (READY, DRAIN, MAINT)
_SERVER_NAME = re.compile('%s$' % lb_agent.SERVER_NAME)


def check_name(name):
    """Return ``backend/server`` if it is one; raise ValueError otherwise.

    Names reach the runtime API inside a command line, so one with a
    space, a ``;`` or a newline is refused rather than sent.
    """
    if not isinstance(name, str) or not _SERVER_NAME.match(name):
        raise ValueError('server name %r is not backend/server made of '
                         'letters, digits and ._:-' % (name,))
    return name


def split_name(name):
    """Split ``backend/server`` into its two parts."""
    backend, _, server = check_name(name).partition('/')
    return backend, server


def set_state(name, state):
    """Return the command setting a server's administrative state."""
    if state not in STATES:
        raise ValueError('unknown server state %r' % state)
    return 'set server %s state %s' % (check_name(name), state)


def add_server(name, address, port, check=True):
    """Return the command adding a dynamic server (HAProxy 2.6 or newer)."""
    command = 'add server %s %s:%s%s' % (check_name(name), address, port,
                                         ' check' if check else '')
    lb_agent.check_command(command)
    return command


def enable_health(name):
    """Return the command starting health checks of a server."""
    return 'enable health %s' % check_name(name)


def delete_server(name):
    """Return the command deleting a dynamic server."""
    return 'del server %s' % check_name(name)


def shutdown_sessions(name):
    """Return the command closing every session of a server."""
    return 'shutdown sessions server %s' % check_name(name)


SHOW_STAT = 'show stat'
SHOW_LEVEL = 'show cli level'


def parse_stat(answer):
    """Parse ``show stat`` CSV into ``{'backend/server': row}``.

    Rows of frontends and the BACKEND pseudo-servers are left out.
    """
    return lb_agent.parse_stat(answer)


def current_sessions(row):
    """Return the sessions in progress on a server, queued ones included."""
    return int(row.get('scur') or 0) + int(row.get('qcur') or 0)


def status(row):
    """Return the status column of a server (UP, DOWN, MAINT, DRAIN...)."""
    return (row.get('status') or '').strip()
