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
"""A real HAProxy on loopback, with an admin socket, for tests."""

import http.server
import os
import shutil
import signal
import socket
import subprocess
import threading
import time

import fixtures

HAPROXY = shutil.which('haproxy') or '/usr/sbin/haproxy'

CONFIG = """
global
    stats socket {admin} level admin
    stats socket {user} level user

defaults
    mode http
    timeout connect 1s
    timeout client 10s
    timeout server 10s

frontend api_front
    bind 127.0.0.1:{frontend_port}
    default_backend api_back

backend api_back
    balance roundrobin
    server node1 127.0.0.1:{backend_port}
    server node2 127.0.0.1:{backend_port}
"""


def free_port():
    """Return a free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def wait_until(predicate, timeout, interval=0.05):
    """Poll ``predicate`` until it is true or ``timeout`` has passed.

    :returns: the last value of ``predicate``.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def exited(pid):
    """Return whether the process ``pid`` ended, reaping it if a child.

    A watchdog started through systemd-run is not this process's child:
    ``waitpid`` cannot see it, so its end is read from ``/proc`` (gone,
    or a zombie its new parent has not reaped yet).
    """
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return not _running(pid)
    return done == pid


def _running(pid):
    try:
        with open('/proc/%d/stat' % pid) as stream:
            stat = stream.read()
    except FileNotFoundError:
        return False
    return stat.rsplit(')', 1)[1].split()[0] != 'Z'


def wait_exited(pid, timeout):
    """Return whether the process ``pid`` ends within ``timeout``."""
    return wait_until(lambda: exited(pid), timeout)


class WatchdogsFixture(fixtures.Fixture):
    """Stop every lease watchdog a test started, within bounded waits."""

    def _setUp(self):
        self.pids = []
        self.addCleanup(self._stop_all)

    def track(self, pid):
        """Stop the watchdog ``pid`` (if any) at clean-up."""
        if pid:
            self.pids.append(pid)

    def _stop_all(self):
        for pid in self.pids:
            if exited(pid):
                continue
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            if not wait_exited(pid, 5):
                os.kill(pid, signal.SIGKILL)
                wait_exited(pid, 5)


class _Quiet(http.server.BaseHTTPRequestHandler):

    def do_GET(self):
        body = b'ok\n'
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class HAProxyFixture(fixtures.Fixture):
    """Start HAProxy on loopback in front of a small HTTP server."""

    def _setUp(self):
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.admin_socket = os.path.join(self.dir, 'admin.sock')
        self.user_socket = os.path.join(self.dir, 'user.sock')
        self.frontend_port = free_port()
        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Quiet)
        self.backend_port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        config = os.path.join(self.dir, 'haproxy.cfg')
        with open(config, 'w') as stream:
            stream.write(CONFIG.format(
                admin=self.admin_socket, user=self.user_socket,
                frontend_port=self.frontend_port,
                backend_port=self.backend_port))
        process = subprocess.Popen([HAPROXY, '-db', '-f', config],
                                   stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        self.addCleanup(process.wait, 10)
        self.addCleanup(process.terminate)
        deadline = time.monotonic() + 10
        while not (os.path.exists(self.admin_socket)
                   and os.path.exists(self.user_socket)):
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError('haproxy did not start')
            time.sleep(0.05)
