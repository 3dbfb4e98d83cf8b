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
"""A tiny fake Keystone on 127.0.0.1 for the keystone-mode tests.

It answers the two calls the probe makes, with real HTTP:

* ``POST /v3/auth/tokens``: 201 and a new token in ``X-Subject-Token`` for
  the password of :data:`USERNAME` in :data:`PROJECT` (``Default``
  domains), 401 otherwise;
* ``GET /v3/auth/tokens``: 200 if ``X-Auth-Token`` and ``X-Subject-Token``
  are tokens it issued, 401 for an unknown caller token and 404 for an
  unknown subject token.

The server's ``status`` makes every request answer that status instead,
``get_status`` only the validations, ``delay`` makes it wait that long
(at most 3 s) before answering, ``reset`` makes it reset the connection and
``echo_close = False`` makes it close a connection the client asked to close
without saying so in the answer;
:meth:`FakeKeystone.forget_tokens` makes it forget every token issued so far
(as a node with other fernet keys would). Its tokens carry the server's
``catalog`` (empty by default) and last ``token_seconds``.
Run ``python -m tests.unit.probe.fake_keystone PORT`` to serve on
127.0.0.1:PORT in a process of its own.
"""

import datetime
import http.server
import json
import socket
import struct
import sys
import threading
import time
import urllib.parse
import uuid

import fixtures

from tests.unit.probe import loopback

USERNAME = "probe"
PASSWORD = "secret"
PROJECT = "service"
USER_ID = "u1"
PROJECT_ID = "p1"
TOKEN_SECONDS = 3600
_MAX_DELAY = 3.0
_ERRORS = {401: "The request you have made requires authentication.",
           404: "Could not find token.",
           503: "Service Unavailable"}


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = -1

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.count("POST", self.client_address)
        if self._overridden():
            return
        if urllib.parse.urlsplit(self.path).path != "/v3/auth/tokens":
            return self._error(404)
        if not _valid_password_request(json.loads(body or b"{}")):
            return self._error(401)
        token = self.server.issue()
        self._answer(201, self.server.token_body(), {"X-Subject-Token": token})

    def do_GET(self):
        self.server.count("GET", self.client_address)
        if self._overridden():
            return
        if self.server.get_status is not None:
            return self._error(self.server.get_status)
        if urllib.parse.urlsplit(self.path).path != "/v3/auth/tokens":
            return self._error(404)
        if not self.server.knows(self.headers.get("X-Auth-Token")):
            return self._error(401)
        if not self.server.knows(self.headers.get("X-Subject-Token")):
            return self._error(404)
        self._answer(200, self.server.token_body())

    def _overridden(self):
        time.sleep(min(self.server.delay, _MAX_DELAY))
        if self.server.reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return True
        if self.server.status is not None:
            self._error(self.server.status)
            return True
        return False

    def _error(self, status):
        message = _ERRORS.get(status, "Error")
        self._answer(status, {"error": {"code": status, "message": message,
                                        "title": "Error"}})

    def _answer(self, status, data, headers=None):
        body = json.dumps(data).encode("utf-8")
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection and self.server.echo_close:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _valid_password_request(data):
    try:
        user = data["auth"]["identity"]["password"]["user"]
        project = data["auth"]["scope"]["project"]
    except (KeyError, TypeError):
        return False
    return (user.get("name") == USERNAME and user.get("password") == PASSWORD
            and user.get("domain") == {"name": "Default"}
            and project == {"name": PROJECT, "domain": {"name": "Default"}})


def _token_body(catalog=(), seconds=TOKEN_SECONDS):
    now = datetime.datetime.now(datetime.timezone.utc)
    expires = now + datetime.timedelta(seconds=seconds)
    return {"token": {
        "methods": ["password"],
        "issued_at": now.strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
        "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
        "user": {"id": USER_ID, "name": USERNAME,
                 "domain": {"id": "default", "name": "Default"}},
        "project": {"id": PROJECT_ID, "name": PROJECT,
                    "domain": {"id": "default", "name": "Default"}},
        "roles": [{"id": "r1", "name": "member"}],
        "catalog": list(catalog),
    }}


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128
    handler = _Handler

    def __init__(self, port=0):
        super().__init__(("127.0.0.1", port), self.handler)
        self._lock = threading.Lock()
        self._tokens = set()
        self.requests = {"POST": 0, "GET": 0}
        self.clients = set()
        self.status = None
        self.get_status = None
        self.delay = 0.0
        self.reset = False
        self.echo_close = True
        self.catalog = []
        self.token_seconds = TOKEN_SECONDS

    def handle_error(self, request, client_address):
        """Ignore clients that left before the answer (timeout tests)."""

    def count(self, method, client_address):
        with self._lock:
            self.requests[method] += 1
            self.clients.add(client_address)

    def token_body(self):
        return _token_body(self.catalog, self.token_seconds)

    def issue(self):
        token = uuid.uuid4().hex
        with self._lock:
            self._tokens.add(token)
        return token

    def knows(self, token):
        with self._lock:
            return token in self._tokens

    def forget_tokens(self):
        with self._lock:
            self._tokens.clear()


class FakeKeystone(fixtures.Fixture):
    """A fake Keystone on 127.0.0.1 with an ephemeral port, for one test."""

    def _setUp(self):
        self.server = loopback.serve_until_cleanup(self, _Server())

    @property
    def url(self):
        """The identity endpoint, without /v3."""
        return "http://127.0.0.1:%d" % self.server.server_port

    @property
    def requests(self):
        """How many POST and GET requests the server has received."""
        return dict(self.server.requests)

    @property
    def connections(self):
        """How many client connections sent at least one request."""
        return len(self.server.clients)

    def forget_tokens(self):
        """Answer 401/404 for every token issued so far."""
        self.server.forget_tokens()

    def stop(self):
        """Stop listening: new connections are refused from now on."""
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":
    _Server(int(sys.argv[1])).serve_forever()
