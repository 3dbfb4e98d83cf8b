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
"""Keystone operations for the keystone mode, through keystoneauth1.

Each worker thread has its own keystoneauth1 session, and so its own
requests connection pool, which holds the thread's keep-alive connection; a
request of the ``fresh`` mode opens and closes a connection of its own.
keystoneauth1 retries nothing here (``connect_retries=0``,
``status_code_retries=0``), so the probe sees every failure, and a request
has the probe's timeout, less what it already spent, for each connect and
read; an answer that comes after the timeout is a timeout too.
"""

import logging
import socket
import threading
import time

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.probe import identity
from kolla_zdu_plugin.probe import record
from kolla_zdu_plugin.probe import tokens

LOG = logging.getLogger(__name__)

USER_AGENT = "kolla-zdu-probe"
_CLOSE = {"Connection": "close"}


def requester_for(settings):
    """Return the :class:`KeystoneRequester` of settings, or None.

    :param settings: a validated :class:`ProbeSettings`; ``None`` is
        returned unless it selects the keystone mode.
    """
    if not settings.keystone_mode:
        return None
    return KeystoneRequester(identity.credentials_from_settings(settings),
                             settings.timeout)


class KeystoneRequester:
    """Issue and validate tokens of the probe user, from many threads."""

    def __init__(self, credentials, timeout):
        self.credentials = credentials
        self.url = credentials.v3_url
        self._timeout = timeout
        self._tokens = tokens.TokenPool()
        self._local = threading.local()
        self._clients = []
        self._lock = threading.Lock()

    def preflight(self):
        """Issue a token and validate it once, before any load.

        :raises ProbeError: naming the endpoint, the user and Keystone's
            answer, when either step fails.
        """
        client = _Client(self.credentials)
        try:
            for operation in record.OPERATIONS:
                self._preflight_step(client, operation)
        finally:
            client.close()
        LOG.info("pre-flight: issued and validated a token of %s",
                 self.credentials.describe())

    def send(self, operation, keepalive, deadline):
        """Make one operation in this thread's session; return the status.

        :param deadline: ``time.monotonic()`` value after which the request
            fails with ``socket.timeout``.
        :raises: the connection errors, unchanged for their kind, and
            ``socket.timeout`` past the deadline.
        """
        client = self._thread_client()
        client.prepare(keepalive, _remaining(deadline))
        try:
            status = self._operate(client, operation)
        except ks_exceptions.ConnectTimeout as exc:
            raise socket.timeout(str(exc)) from exc
        finally:
            client.finish(keepalive)
        if time.monotonic() > deadline:
            raise socket.timeout("answered after the %g s timeout"
                                 % self._timeout)
        return status

    def close(self):
        """Close every thread's session."""
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()

    def _operate(self, client, operation):
        if operation == record.ISSUE:
            return self._issue(client)
        return self._validate(client)

    def _issue(self, client):
        try:
            access = self.credentials.password_plugin().get_auth_ref(
                client.session)
        except ks_exceptions.HttpError as exc:
            return exc.http_status
        self._tokens.add(access.auth_token, _expiry(access))
        return client.status

    def _validate(self, client):
        auth_token, subject_token = self._tokens.pair(time.time())
        response = client.session.get(
            self.credentials.tokens_url, authenticated=False, raise_exc=False,
            log=False, connect_retries=0, status_code_retries=0,
            headers={"X-Auth-Token": auth_token,
                     "X-Subject-Token": subject_token})
        return response.status_code

    def _thread_client(self):
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = _Client(self.credentials)
            with self._lock:
                self._clients.append(client)
        return client

    def _preflight_step(self, client, operation):
        client.prepare(True, self._timeout)
        try:
            status = self._operate(client, operation)
        except Exception as exc:
            raise exceptions.ProbeError(reason=_unreachable(
                self.credentials, operation, exc))
        if status >= 400:
            raise exceptions.ProbeError(reason=_refused(
                self.credentials, operation, status,
                _detail(client.answer)))


class _Client:
    """One keystoneauth1 session and the last answer it received."""

    def __init__(self, credentials):
        self.session = ks_session.Session(
            verify=credentials.verify, user_agent=USER_AGENT,
            connect_retries=0)
        self.session.session.trust_env = False
        self.session.session.hooks["response"].append(self._answered)
        self.status = None
        self.answer = None

    def prepare(self, keepalive, timeout):
        """Get ready for a request on a kept or a new connection.

        The session's pool holds at most one idle connection, the thread's:
        a request on a new connection closes it first, and :meth:`finish`
        closes the new one after, whatever the server answered.
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
        self.session.session.close()

    def _answered(self, response, *args, **kwargs):
        self.answer = response
        self.status = response.status_code


def _remaining(deadline):
    left = deadline - time.monotonic()
    if left <= 0:
        raise socket.timeout("request deadline passed")
    return left


def _expiry(access):
    try:
        return access.expires.timestamp()
    except (KeyError, TypeError, ValueError):
        return None


def _detail(response):
    if response is None:
        return ""
    try:
        return response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return response.reason or ""


_ISSUE_HINTS = {
    400: "check --os-project-name and the domain options",
    401: "check --os-username/--os-password and the project and domains",
    404: "check --keystone: it must be the identity endpoint, e.g. "
         "http://VIP:5000/v3",
}
_VALIDATE_HINT = ("the probe user must be allowed to validate its own token "
                  "(keystone policy identity:validate_token), and every "
                  "Keystone node must share the same fernet keys")


def _refused(credentials, operation, status, detail):
    if operation == record.ISSUE:
        hint = _ISSUE_HINTS.get(status, "Keystone is not answering normally")
        if credentials.origin.startswith("cloud") and status in (400, 401):
            hint = "check the auth section of the %s" % credentials.origin
        step = "refused to issue a token"
    else:
        hint = _VALIDATE_HINT
        step = "issued a token but refused to validate it"
    return ("pre-flight check failed: Keystone %s for %s: HTTP %d%s; %s"
            % (step, credentials.describe(), status,
               " (%s)" % detail if detail else "", hint))


def _unreachable(credentials, operation, exc):
    return ("pre-flight check failed: cannot %s a token of %s: %s; check "
            "%s and that Keystone listens there"
            % (operation, credentials.describe(),
               record.describe_error(exc), credentials.auth_url_source))
