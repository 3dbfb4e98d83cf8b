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
"""In-process HTTP servers on 127.0.0.1 for the probe tests.

One handler serves every behaviour, chosen by path:

* ``/`` answers 200;
* ``/status/<code>`` answers that status;
* ``/slow?s=<seconds>`` answers 200 after sleeping (at most 3 s);
* ``/hold`` answers 200 once the test calls :meth:`LoopbackServer.release`
  (or after 30 s), so a test orders events without timing them;
* ``/reset`` resets the connection (RST) without answering;
* ``/close`` answers 200 as keep-alive, then closes the connection;
* ``/http10`` answers 200 as HTTP/1.0 with a length, then closes;
* ``/eof`` answers 200 without a length: the body ends when it closes.
"""

import http.server
import socket
import struct
import threading
import time
import urllib.parse

import fixtures

_MAX_SLEEP = 3.0
_MAX_HOLD = 30.0


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.server.count_request(self.client_address)
        parts = urllib.parse.urlsplit(self.path)
        if parts.path == "/reset":
            self._reset()
        elif parts.path.startswith("/status/"):
            self._answer(int(parts.path.rsplit("/", 1)[1]))
        elif parts.path == "/slow":
            seconds = float(urllib.parse.parse_qs(parts.query)["s"][0])
            time.sleep(min(seconds, _MAX_SLEEP))
            self._answer(200)
        elif parts.path == "/hold":
            self.server.released.wait(_MAX_HOLD)
            self._answer(200)
        elif parts.path == "/close":
            self._answer(200)
            self.close_connection = True
        elif parts.path == "/http10":
            self._answer(200, version=b"HTTP/1.0")
            self.close_connection = True
        elif parts.path == "/eof":
            self.wfile.write(b"HTTP/1.1 200 Test\r\nConnection: close\r\n"
                             b"\r\n" + b"x" * 100000)
            self.close_connection = True
        else:
            self._answer(200)

    def _answer(self, status, version=b"HTTP/1.1"):
        body = b"probe test\n"
        self.wfile.write(b"%s %d Test\r\nContent-Length: %d\r\n\r\n%s"
                         % (version, status, len(body), body))
        self.server.count_answer()

    def _reset(self):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self._lock = threading.Lock()
        self.requests = 0
        self.answers = 0
        self.clients = set()
        self.released = threading.Event()

    def count_request(self, client_address):
        with self._lock:
            self.requests += 1
            self.clients.add(client_address)

    def count_answer(self):
        with self._lock:
            self.answers += 1


def serve_until_cleanup(fixture, server):
    """Serve ``server`` on a daemon thread until ``fixture`` cleans up."""
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    fixture.addCleanup(server.server_close)
    fixture.addCleanup(server.shutdown)
    return server


class LoopbackServer(fixtures.Fixture):
    """An HTTP server on 127.0.0.1 with an ephemeral port, for one test."""

    def _setUp(self):
        self.server = serve_until_cleanup(self, _Server())

    def url(self, path="/"):
        """Return the URL of path on this server."""
        return "http://127.0.0.1:%d%s" % (self.server.server_port, path)

    @property
    def requests(self):
        """How many requests the server has received."""
        return self.server.requests

    @property
    def answers(self):
        """How many answers the server has written."""
        return self.server.answers

    def release(self):
        """Answer every request held on ``/hold``, now and from now on."""
        self.server.released.set()

    @property
    def connections(self):
        """How many client connections sent at least one request."""
        return len(self.server.clients)


def closed_port_url():
    """Return a loopback URL whose port has no listener (refused)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return "http://127.0.0.1:%d/" % port
