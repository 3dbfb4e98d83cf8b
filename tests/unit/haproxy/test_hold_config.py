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
"""The hold configuration, checked by text and by a real HAProxy."""

import concurrent.futures
import csv
import io
import os
import shutil
import socket
import subprocess
import time
import unittest
import urllib.error
import urllib.request

import fixtures

from kolla_zdu_plugin.haproxy import hold_config
from tests.unit import base

HAPROXY = shutil.which('haproxy') or '/usr/sbin/haproxy'
HAS_HAPROXY = os.access(HAPROXY, os.X_OK)

MAIN_CFG = """global
    maxconn 1000
    stats socket {dir}/admin.sock level admin

defaults
    mode http
    option redispatch
    retries 3
    timeout http-request 10s
    timeout queue 1m
    timeout connect 10s
    timeout client 1m
    timeout server 1m
    timeout check 10s
"""

SERVICE_CFG = """frontend api_front
    bind 127.0.0.1:{port}
    default_backend api_back

backend api_back
    option httpchk GET /healthcheck
{lines}    server node1 127.0.0.1:{dead_port} {server_options}
    server node2 127.0.0.1:{dead_port} {server_options}
"""


def free_port():
    """Return a TCP port on loopback that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


HELD_TOO_MANY = 'too many requests held, retry later'
HOLD_EXPIRED = 'service restarting, retry later'
NOT_HELD = 'service unavailable, retry later'


def get(port, timeout=30.0):
    """Return ``(status, Retry-After, seconds, body)`` of ``GET /``.

    The body says which of the hold's answers HAProxy gave, so a test
    knows whether a request was held without timing it.
    """
    start = time.monotonic()
    try:
        with urllib.request.urlopen('http://127.0.0.1:%d/' % port,
                                    timeout=timeout) as answer:
            status, headers, body = answer.status, answer.headers, \
                answer.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    return (status, headers.get('Retry-After'), time.monotonic() - start,
            body.decode().strip())


def wait_until(predicate, timeout=30.0):
    """Poll ``predicate`` until it is true; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError('not reached within %s s' % timeout)
        time.sleep(0.05)


class ConfigDir(fixtures.Fixture):
    """A kolla-like ``haproxy.cfg`` plus ``services.d/`` in a temp dir."""

    def __init__(self, lines, with_lua=True, server_options='disabled'):
        super().__init__()
        self.lines = lines
        self.with_lua = with_lua
        self.server_options = server_options

    def _setUp(self):
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.services = os.path.join(self.dir, 'services.d')
        os.mkdir(self.services)
        self.port = free_port()
        self._write('haproxy.cfg', MAIN_CFG.format(dir=self.dir))
        self._write('services.d/api.cfg', SERVICE_CFG.format(
            port=self.port, dead_port=free_port(),
            server_options=self.server_options,
            lines=''.join('    %s\n' % line for line in self.lines)))
        if self.with_lua:
            self._write('services.d/' + hold_config.LUA_FILE,
                        hold_config.LUA_SCRIPT)
            self._write('services.d/' + hold_config.GLOBAL_FILE,
                        hold_config.global_config(self.services))

    def _write(self, name, text):
        with open(os.path.join(self.dir, name), 'w') as stream:
            stream.write(text)

    def command(self, *extra):
        """Return kolla's HAProxy command line for this directory."""
        return [HAPROXY, '-f', os.path.join(self.dir, 'haproxy.cfg'),
                '-f', self.services + '/'] + list(extra)

    def check(self):
        """Return ``haproxy -c`` as a completed process."""
        return subprocess.run(self.command('-c'), capture_output=True,
                              text=True, timeout=30)

    def show_stat(self):
        """Return HAProxy's ``show stat`` rows keyed by (proxy, name)."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(os.path.join(self.dir, 'admin.sock'))
            sock.sendall(b'show stat\n')
            answer = b''.join(iter(lambda: sock.recv(65536), b''))
        rows = csv.DictReader(io.StringIO(answer.decode().lstrip('# ')))
        return {(row['pxname'], row['svname']): row for row in rows}

    def backend_sessions(self):
        """Return the sessions in progress on ``api_back``."""
        return int(self.show_stat()[('api_back', 'BACKEND')]['scur'])

    def servers_down(self):
        """Return whether both servers of ``api_back`` are DOWN."""
        stat = self.show_stat()
        return all(stat[('api_back', name)]['status'] == 'DOWN'
                   for name in ('node1', 'node2'))

    def start(self):
        """Run HAProxy until the test ends."""
        process = subprocess.Popen(self.command('-db'),
                                   stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        self.addCleanup(process.wait, 10)
        self.addCleanup(process.terminate)
        deadline = time.monotonic() + 10
        while not os.path.exists(os.path.join(self.dir, 'admin.sock')):
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError('haproxy did not start')
            time.sleep(0.05)


class BackendLinesTestCase(base.TestCase):

    def test_default_bounds_in_lines(self):
        lines = hold_config.backend_lines(20, 2000)
        self.assertEqual(4, len(lines))
        self.assertIn('{ nbsrv eq 0 } { be_conn gt 2000 }', lines[0])
        self.assertEqual('http-request lua.zdu_hold 20000 100 '
                         'if { nbsrv eq 0 }', lines[1])
        self.assertIn('{ var(txn.zdu_hold) -m str expired }', lines[2])
        self.assertTrue(lines[3].startswith('http-error status 503 '))
        for line in lines[:3]:
            self.assertIn('http-request ', line)
        for line in (lines[0], lines[2], lines[3]):
            self.assertIn('hdr Retry-After 2 ', line)

    def test_custom_bounds(self):
        lines = hold_config.backend_lines(5, 10, retry_after=7,
                                          poll_interval_ms=250)
        self.assertIn('be_conn gt 10 }', lines[0])
        self.assertIn('lua.zdu_hold 5000 250 ', lines[1])
        self.assertIn('hdr Retry-After 7 ', lines[2])

    def test_bounds_are_checked(self):
        for kwargs in ({'max_hold_time': 0, 'max_held_requests': 1},
                       {'max_hold_time': 301, 'max_held_requests': 1},
                       {'max_hold_time': 1, 'max_held_requests': 0},
                       {'max_hold_time': 1, 'max_held_requests': 1,
                        'retry_after': 0},
                       {'max_hold_time': 1, 'max_held_requests': 1,
                        'poll_interval_ms': 5}):
            self.assertRaises(ValueError, hold_config.backend_lines,
                              **kwargs)

    def test_globals_overrides_keep_operator_lines(self):
        mine = ['option forwardfor']
        overrides = hold_config.globals_overrides(20, 2000, existing=mine)
        self.assertTrue(overrides['haproxy_socket_level_admin'])
        lines = overrides['haproxy_backend_http_extra']
        self.assertEqual(mine + hold_config.backend_lines(20, 2000), lines)
        again = hold_config.globals_overrides(10, 50, existing=lines)
        self.assertEqual(mine + hold_config.backend_lines(10, 50),
                         again['haproxy_backend_http_extra'])

    def test_global_file_loads_first(self):
        kolla_files = ['aodh.cfg', 'barbican.cfg', 'external-frontend.cfg',
                       'keystone.cfg', 'mariadb.cfg', 'zun.cfg',
                       hold_config.GLOBAL_FILE]
        self.assertEqual(hold_config.GLOBAL_FILE, sorted(kolla_files)[0])
        self.assertIn('lua-load /etc/haproxy/services.d/zdu_hold.lua',
                      hold_config.global_config())

    def test_runtime_commands(self):
        servers = ['keystone_internal_back/ctl1',
                   'keystone_internal_back/ctl2']
        self.assertEqual(
            ['set server keystone_internal_back/ctl1 state drain',
             'set server keystone_internal_back/ctl2 state drain'],
            hold_config.hold_commands(servers))
        self.assertEqual(
            ['set server keystone_internal_back/ctl1 state maint',
             'set server keystone_internal_back/ctl2 state maint'],
            hold_config.stop_commands(servers))
        self.assertEqual(
            ['set server keystone_internal_back/ctl1 state ready',
             'set server keystone_internal_back/ctl2 state ready'],
            hold_config.release_commands(servers))


@unittest.skipUnless(HAS_HAPROXY, 'needs haproxy')
class HAProxyAcceptsTestCase(base.TestCase):

    def test_haproxy_accepts_default_lines(self):
        config = self.useFixture(
            ConfigDir(hold_config.backend_lines(20, 2000)))
        result = config.check()
        self.assertEqual(0, result.returncode, result.stdout + result.stderr)

    def test_haproxy_refuses_lines_without_lua(self):
        config = self.useFixture(ConfigDir(
            hold_config.backend_lines(20, 2000), with_lua=False))
        self.assertNotEqual(0, config.check().returncode)


@unittest.skipUnless(HAS_HAPROXY, 'needs haproxy')
class HAProxyBoundsTestCase(base.TestCase):
    """Servers in MAINT (``disabled``) and never back: the bounds apply."""

    def test_hold_ends_with_503_retry_after_at_max_hold_time(self):
        config = self.useFixture(ConfigDir(hold_config.backend_lines(
            1, 10, retry_after=3, poll_interval_ms=50)))
        config.start()
        status, retry_after, seconds, body = get(config.port)
        self.assertEqual((503, '3', HOLD_EXPIRED),
                         (status, retry_after, body))
        self.assertGreaterEqual(seconds, 0.95)

    def test_requests_beyond_max_held_get_503_at_once(self):
        # While two requests are held (for 5 s), the third is answered
        # by the max-held rule, not by the hold.
        config = self.useFixture(ConfigDir(hold_config.backend_lines(
            5, 2, poll_interval_ms=50)))
        config.start()
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            held = [pool.submit(get, config.port) for _ in range(2)]
            wait_until(lambda: config.backend_sessions() == 2)
            status, retry_after, _seconds, body = get(config.port)
            self.assertEqual((503, '2', HELD_TOO_MANY),
                             (status, retry_after, body))
            for future in held:
                status, _retry, seconds, body = future.result()
                self.assertEqual((503, HOLD_EXPIRED), (status, body))
                self.assertGreaterEqual(seconds, 4.95)

    def test_unplanned_outage_is_not_held(self):
        config = self.useFixture(ConfigDir(
            hold_config.backend_lines(5, 10),
            server_options='check inter 100 fall 1 rise 1'))
        config.start()
        wait_until(config.servers_down)
        status, retry_after, _seconds, body = get(config.port)
        self.assertEqual((503, '2', NOT_HELD), (status, retry_after, body))
