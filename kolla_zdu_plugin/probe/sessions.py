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
"""The keystoneauth1 sessions of the keystone and heat modes.

Each worker thread has its own keystoneauth1 session, and so its own
requests connection pool, which holds the thread's keep-alive connections
(one per host); a request of the ``fresh`` mode opens and closes
connections of its own. keystoneauth1 retries nothing here
(``connect_retries=0``, ``status_code_retries=0``), so the probe sees every
failure, and a request has the probe's timeout, less what it already spent,
for each connect and read; an answer that comes after the timeout is a
timeout too.
"""

import socket
import threading
import time

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session

USER_AGENT = "kolla-zdu-probe"
NO_RETRIES = {"connect_retries": 0, "status_code_retries": 0}
_CLOSE = {"Connection": "close"}


class Client:
    """One keystoneauth1 session and the last answer it received."""

    def __init__(self, credentials, auth=None):
        """Make a session for credentials, authenticating with auth if given.

        :param auth: a keystoneauth1 plugin; requests made with
            ``authenticated=True`` then carry its token, which it reuses
            until the token nears its expiry.
        """
        self.session = ks_session.Session(
            auth=auth, verify=credentials.verify, user_agent=USER_AGENT,
            connect_retries=0)
        self.session.session.trust_env = False
        self.session.session.hooks["response"].append(self._answered)
        self.status = None
        self.answer = None

    def prepare(self, keepalive, timeout):
        """Get ready for a request on a kept or a new connection.

        The session's pool holds at most one idle connection per host, the
        thread's: a request on a new connection closes them first, and
        :meth:`finish` closes the new one after, whatever the server
        answered.
        """
        if not keepalive:
            self.session.session.close()
        self.session.additional_headers = {} if keepalive else dict(_CLOSE)
        self.session.timeout = timeout
        self.status = self.answer = None

    def finish(self, keepalive):
        """Close the connection of a request that was not to keep it."""
        if not keepalive:
            self.session.session.close()

    def close(self):
        """Close the session's connections."""
        self.session.session.close()

    def _answered(self, response, *args, **kwargs):
        self.answer = response
        self.status = response.status_code


class ThreadClients:
    """One :class:`Client` per thread, made on first use, closed together."""

    def __init__(self, make_client):
        """:param make_client: returns a new :class:`Client`."""
        self._make_client = make_client
        self._local = threading.local()
        self._clients = []
        self._lock = threading.Lock()

    def get(self):
        """Return the calling thread's client."""
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = self._make_client()
            with self._lock:
                self._clients.append(client)
        return client

    def close(self):
        """Close every thread's client."""
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()


def send(client, keepalive, deadline, timeout, operate):
    """Make one request, ``operate(client)``, and return its status.

    :param deadline: ``time.monotonic()`` value after which the request
        fails with ``socket.timeout``.
    :param timeout: the probe's timeout, for the message.
    :raises: the connection errors, unchanged for their kind, and
        ``socket.timeout`` past the deadline.
    """
    client.prepare(keepalive, remaining(deadline))
    try:
        status = operate(client)
    except ks_exceptions.ConnectTimeout as exc:
        raise socket.timeout(str(exc)) from exc
    finally:
        client.finish(keepalive)
    if time.monotonic() > deadline:
        raise socket.timeout("answered after the %g s timeout" % timeout)
    return status


def remaining(deadline):
    """Return the seconds left until deadline; raise if none are."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise socket.timeout("request deadline passed")
    return left


def detail(response):
    """Return the error message of an answer, for messages."""
    if response is None:
        return ""
    try:
        return response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return response.reason or ""
