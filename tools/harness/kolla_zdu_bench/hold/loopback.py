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
"""A loopback lab: one HAProxy laid out like kolla's, and its backends.

HAProxy gets kolla-ansible's global and defaults sections in ``haproxy.cfg``
and one file per service in ``services.d/``, and runs as kolla runs it:
``haproxy -f haproxy.cfg -f services.d/``. Every process the lab starts is
stopped by PID when the lab closes.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

from kolla_zdu_plugin.haproxy import lb_agent
from kolla_zdu_plugin.haproxy import runtime

HOST = '127.0.0.1'
HAPROXY = '/usr/sbin/haproxy'
BACKEND_NAME = 'bench_back'
START_TIMEOUT = 10.0

# kolla-ansible's haproxy_main.cfg.j2 with its defaults; maxconn is lower
# than kolla's 40000 because this machine allows 20000 descriptors.
MAIN_CFG = """global
    maxconn 8000
    nbthread 1
    stats socket {socket} mode 600 level admin
    pidfile {pidfile}

defaults
    log global
    option redispatch
    retries 3
    timeout http-request 10s
    timeout http-keep-alive 10s
    timeout queue 1m
    timeout connect 10s
    timeout client 1m
    timeout server 1m
    timeout check 10s
    balance roundrobin
    maxconn 8000
"""

# haproxy_single_service_split.cfg.j2 as rendered for an http service.
SERVICE_CFG = """frontend bench_front
    mode http
    http-request del-header X-Forwarded-Proto
    bind {host}:{port}
    default_backend bench_back

backend bench_back
    mode http
    option httpchk GET /healthcheck
    http-check expect status 200
{extra}{servers}"""
SERVER_LINE = ('    server node{index} {host}:{port} '
               'check inter 2000 rise 2 fall 5\n')

# How the runtime API words its errors, for the bench's own commands
# (the plugin itself recognises success instead).
ERROR_PREFIXES = ('No such', 'Permission denied', 'Unknown command',
                  'Require ', 'Invalid', 'Unable', "'")


def render_service(port, backend_ports, extra_lines):
    """Return ``services.d/bench.cfg`` with the extra backend lines."""
    extra = ''.join('    %s\n' % line for line in extra_lines)
    servers = ''.join(SERVER_LINE.format(index=index, host=HOST, port=p)
                      for index, p in enumerate(backend_ports, 1))
    return SERVICE_CFG.format(host=HOST, port=port, extra=extra,
                              servers=servers)


def server_names(count):
    """Return the ``backend/server`` names of the lab's servers."""
    return ['%s/node%d' % (BACKEND_NAME, index)
            for index in range(1, count + 1)]


class Lab(object):
    """HAProxy and its backends in a temporary directory.

    :param port: the frontend port; backends use the next ones.
    :param servers: how many backend servers the service has.
    :param extra_lines: lines added to the backend, as
        ``haproxy_backend_http_extra`` would add them.
    :param extra_files: called with the ``services.d`` path, returns
        ``{name: text}`` to write there.
    """

    def __init__(self, port, servers, extra_lines=(), extra_files=None):
        self.port = port
        self.backend_ports = [port + i for i in range(1, servers + 1)]
        self.extra_lines = list(extra_lines)
        self.extra_files = extra_files or (lambda services_dir: {})
        self.tmp = tempfile.mkdtemp(prefix='zdu-bench-')
        self.socket_path = os.path.join(self.tmp, 'haproxy.sock')
        self.haproxy = None
        self.backends = {}

    @property
    def address(self):
        """Return the frontend ``(host, port)``."""
        return HOST, self.port

    @property
    def servers(self):
        """Return the ``backend/server`` names."""
        return server_names(len(self.backend_ports))

    def write_config(self):
        """Write ``haproxy.cfg`` and ``services.d/`` like kolla does."""
        services = os.path.join(self.tmp, 'services.d')
        os.makedirs(services, exist_ok=True)
        with open(os.path.join(self.tmp, 'haproxy.cfg'), 'w') as out:
            out.write(MAIN_CFG.format(
                socket=self.socket_path,
                pidfile=os.path.join(self.tmp, 'haproxy.pid')))
        with open(os.path.join(services, 'bench.cfg'), 'w') as out:
            out.write(render_service(self.port, self.backend_ports,
                                     self.extra_lines))
        for name, text in self.extra_files(services).items():
            with open(os.path.join(services, name), 'w') as out:
                out.write(text)

    def haproxy_command(self, check=False):
        """Return kolla's HAProxy command line for this lab."""
        command = [HAPROXY, '-db', '-f', os.path.join(self.tmp, 'haproxy.cfg'),
                   '-f', os.path.join(self.tmp, 'services.d') + '/']
        return command + ['-c'] if check else command

    def start(self):
        """Start the backends and HAProxy; wait until every server is UP."""
        self.write_config()
        for port in self.backend_ports:
            self.start_backend(port)
        with open(os.path.join(self.tmp, 'haproxy.log'), 'w') as log:
            self.haproxy = subprocess.Popen(
                self.haproxy_command(), stdout=log, stderr=log, cwd=self.tmp)
        self.wait(self.haproxy_listening, 'HAProxy socket')
        self.wait(lambda: self.states() == ['UP'] * len(self.servers),
                  'servers UP')

    def haproxy_listening(self):
        """Return whether the socket exists; raise if HAProxy exited."""
        if self.haproxy.poll() is not None:
            with open(os.path.join(self.tmp, 'haproxy.log')) as log:
                raise RuntimeError('HAProxy exited: %s' % log.read()[-2000:])
        return os.path.exists(self.socket_path)

    def close(self):
        """Stop every process of the lab and remove its directory."""
        for port in list(self.backends):
            self.stop_backend(port, signal.SIGKILL)
        if self.haproxy is not None and self.haproxy.poll() is None:
            self.haproxy.terminate()
            self.haproxy.wait(timeout=START_TIMEOUT)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    @staticmethod
    def wait(predicate, what, timeout=START_TIMEOUT, step=0.05):
        """Wait until ``predicate()`` is true, at most ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise RuntimeError('timed out waiting for %s' % what)
            time.sleep(step)

    def start_backend(self, port, warmup=0.0):
        """Start the backend listening on ``port``."""
        self.backends[port] = subprocess.Popen(
            [sys.executable, '-m', 'kolla_zdu_bench.hold.backend',
             '--port', str(port), '--warmup', str(warmup)])
        self.wait(lambda: self.backend_ready(port, any_status=True),
                  'backend on port %d' % port)

    def stop_backend(self, port, sig=signal.SIGTERM, timeout=35.0):
        """Stop the backend on ``port`` with ``sig`` and wait for its end."""
        process = self.backends.pop(port, None)
        if process is None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def backend_ready(self, port, any_status=False):
        """Return whether ``/healthcheck`` on ``port`` answers (200)."""
        url = 'http://%s:%d/healthcheck' % (HOST, port)
        try:
            with urllib.request.urlopen(url, timeout=1.0) as answer:
                return any_status or answer.status == 200
        except urllib.error.HTTPError:
            return any_status
        except OSError:
            return False

    def command(self, line):
        """Run one runtime API command and return its answer."""
        answer = lb_agent.send_unchecked(self.socket_path, line)
        if answer.strip().startswith(ERROR_PREFIXES):
            raise RuntimeError('"%s" answered "%s"' % (line, answer.strip()))
        return answer

    def stat(self):
        """Return ``show stat`` rows by ``backend/server``."""
        return runtime.parse_stat(self.command(runtime.SHOW_STAT))

    def states(self):
        """Return the status column of every server, in order."""
        rows = self.stat()
        return [runtime.status(rows[name]).split(' ')[0]
                for name in self.servers]

    def backend_sessions(self):
        """Return the sessions in the backend, held ones included."""
        for line in self.command('show stat -1 2 -1').splitlines():
            fields = line.split(',')
            if fields[:2] == [BACKEND_NAME, 'BACKEND']:
                return int(fields[4])
        return 0

    def info(self):
        """Return ``show info`` as a dict."""
        pairs = (line.partition(':') for line in
                 self.command('show info').splitlines())
        return {name.strip(): value.strip() for name, _, value in pairs}

    def pools_bytes(self):
        """Return the bytes HAProxy's memory pools hold, from show pools."""
        for line in self.command('show pools').splitlines():
            if line.startswith('Total:'):
                return int(line.split(',')[1].split()[0])
        return 0

    def rss_kib(self):
        """Return HAProxy's VmRSS in KiB."""
        with open('/proc/%d/status' % self.haproxy.pid) as status:
            for line in status:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
        return 0

    def cpu_seconds(self):
        """Return HAProxy's user + system CPU time so far."""
        with open('/proc/%d/stat' % self.haproxy.pid) as stat:
            fields = stat.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
