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

Each worker thread has its own keystoneauth1 session (:mod:`sessions`),
which retries nothing and honours the probe's timeout. The heat mode makes
the same operations, in its own sessions, through :meth:`operate`.
"""

import logging
import time

from keystoneauth1 import exceptions as ks_exceptions

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.probe import identity
from kolla_zdu_plugin.probe import mix
from kolla_zdu_plugin.probe import record
from kolla_zdu_plugin.probe import sessions
from kolla_zdu_plugin.probe import tokens

LOG = logging.getLogger(__name__)


def requester_for(settings):
    """Return the :class:`KeystoneRequester` of settings, or None.

    :param settings: a validated :class:`ProbeSettings`; ``None`` is
        returned unless it selects the keystone mode.
    """
    if not settings.keystone_mode:
        return None
    return KeystoneRequester(identity.credentials_from_settings(settings),
                             settings.timeout,
                             settings.keystone_validate_share)


def operation_at(index, validate_share):
    """Return whether token request index issues or validates a token.

    Validations are spread evenly: of the first n requests,
    ``floor(n * validate_share)`` validate, so 0.5 alternates.
    """
    if mix.split(index, validate_share)[0]:
        return record.VALIDATE
    return record.ISSUE


class KeystoneRequester:
    """Issue and validate tokens of the probe user, from many threads."""

    def __init__(self, credentials, timeout, validate_share=0.5):
        self.credentials = credentials
        self.url = credentials.v3_url
        self._timeout = timeout
        self._validate_share = validate_share
        self._tokens = tokens.TokenPool()
        self._clients = sessions.ThreadClients(
            lambda: sessions.Client(credentials))

    def operation_for(self, index):
        """Return the operation of request index (:func:`operation_at`)."""
        return operation_at(index, self._validate_share)

    def url_for(self, operation):
        """Return the endpoint an operation is sent to, for the records."""
        return self.url

    def preflight(self):
        """Issue a token and validate it once, before any load.

        :raises ProbeError: naming the endpoint, the user and Keystone's
            answer, when either step fails.
        """
        client = sessions.Client(self.credentials)
        try:
            for operation in record.KEYSTONE_OPERATIONS:
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
        return sessions.send(self._clients.get(), keepalive, deadline,
                             self._timeout,
                             lambda client: self.operate(client, operation))

    def close(self):
        """Close every thread's session."""
        self._clients.close()

    def operate(self, client, operation):
        """Issue or validate a token in client's session; return the status.

        The session's own authentication, if it has one, is left alone.
        """
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
            log=False, headers={"X-Auth-Token": auth_token,
                                "X-Subject-Token": subject_token},
            **sessions.NO_RETRIES)
        return response.status_code

    def _preflight_step(self, client, operation):
        client.prepare(True, self._timeout)
        try:
            status = self.operate(client, operation)
        except Exception as exc:
            raise exceptions.ProbeError(reason=_unreachable(
                self.credentials, operation, exc))
        if status >= 400:
            raise exceptions.ProbeError(reason=_refused(
                self.credentials, operation, status,
                sessions.detail(client.answer)))


def _expiry(access):
    try:
        return access.expires.timestamp()
    except (KeyError, TypeError, ValueError):
        return None


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
