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
"""HTTP connections to the probed URLs: fresh ones and a keep-alive pool."""

import http.client
import select
import socket
import ssl
import threading
import time
import urllib.parse

_READ_SIZE = 65536


class Target:
    """One URL given to the probe, and how to connect to its host."""

    def __init__(self, url, slow_path=None, ssl_context=None):
        parts = urllib.parse.urlsplit(url)
        self.url = url
        self.host = parts.hostname
        self.port = parts.port
        self.path = urllib.parse.urlunsplit(
            ("", "", parts.path or "/", parts.query, ""))
        self.slow_path = slow_path
        self._ssl_context = ssl_context if parts.scheme == "https" else None

    def new_connection(self, timeout):
        """Return a new, not yet connected, connection to the host."""
        if self._ssl_context is None:
            return http.client.HTTPConnection(
                self.host, self.port, timeout=timeout)
        return http.client.HTTPSConnection(
            self.host, self.port, timeout=timeout, context=self._ssl_context)


def make_ssl_context(insecure):
    """Return the TLS context for https URLs (no verification if insecure)."""
    context = ssl.create_default_context()
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def fetch(conn, path, deadline, keepalive):
    """GET path on conn, read the whole body, and return the status.

    :param deadline: ``time.monotonic()`` value after which the request
        fails with ``socket.timeout``, however the time is spent.
    :param keepalive: whether to ask the server to keep the connection.
    :returns: (status, whether conn can be reused).
    """
    headers = {} if keepalive else {"Connection": "close"}
    conn.timeout = _remaining(deadline)
    conn.request("GET", path, headers=headers)
    sock = conn.sock
    sock.settimeout(_remaining(deadline))
    response = conn.getresponse()
    while not response.isclosed():
        sock.settimeout(_remaining(deadline))
        response.read(_READ_SIZE)
    return response.status, keepalive and not response.will_close


def is_dropped(conn):
    """Return whether the server closed an idle connection.

    Real HTTP clients look before they reuse a pooled connection (urllib3's
    ``is_connection_dropped``): an idle connection the server closed, for
    example at its keep-alive timeout, is readable at end of file.
    """
    sock = conn.sock
    if sock is None:
        return True
    try:
        readable, _w, _x = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _remaining(deadline):
    left = deadline - time.monotonic()
    if left <= 0:
        raise socket.timeout("request deadline passed")
    return left


class KeepAlivePool:
    """Idle persistent connections per target, the most recent reused first.

    A connection is taken for one request and given back only when that
    request succeeded at the HTTP level, so a broken connection is dropped
    and the next request opens a replacement.
    """

    def __init__(self):
        self._idle = {}
        self._lock = threading.Lock()
        self._closed = False

    def take(self, target, timeout):
        """Return an idle connection to target, or a new one."""
        while True:
            with self._lock:
                idle = self._idle.get(target)
                conn = idle.pop() if idle else None
            if conn is None:
                return target.new_connection(timeout)
            if not is_dropped(conn):
                return conn
            conn.close()

    def give_back(self, target, conn):
        """Keep conn for a later request to target."""
        with self._lock:
            if not self._closed:
                self._idle.setdefault(target, []).append(conn)
                return
        conn.close()

    def close(self):
        """Close every idle connection; later ones given back are closed."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                conn.close()
