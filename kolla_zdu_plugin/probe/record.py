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
"""One probe request as recorded, and how its outcome is classified.

A record's ``kind`` is ``None`` when the request succeeded (any status below
400). Otherwise it names what went wrong. :data:`FAILURE_KINDS` are failures
of availability; a 4xx answer and a request the probe skipped because too
many were outstanding are not, except a rejection of credentials the probe
holds and has checked (:data:`TOKEN_REJECTED`): a 401 or 404 to the
validation of a token the probe issued, a 401 of heat-api to a request with
the probe's token, or a 401 or 403 of heat-api-cfn to a request signed with
the probe's EC2 credential.

In the keystone mode a record's ``operation`` is :data:`ISSUE` or
:data:`VALIDATE`; the heat mode adds :data:`HEAT_OPERATIONS`. It is
``None`` for a plain GET.
"""

import dataclasses
import http.client
import socket
import typing

HTTP_5XX = "http_5xx"
HTTP_4XX = "http_4xx"
CONN_REFUSED = "conn_refused"
CONN_RESET = "conn_reset"
TIMEOUT = "timeout"
OTHER = "other"
CLIENT_OVERLOAD = "client_overload"
TOKEN_REJECTED = "token_rejected"

FAILURE_KINDS = (HTTP_5XX, TOKEN_REJECTED, CONN_REFUSED, CONN_RESET, TIMEOUT,
                 OTHER)

ISSUE = "issue"
VALIDATE = "validate"
KEYSTONE_OPERATIONS = (ISSUE, VALIDATE)
HEAT_STACK_LIST = "heat-stack-list"
HEAT_VALIDATE = "heat-validate"
CFN_LIST_STACKS = "cfn-list-stacks"
HEAT_OPERATIONS = (HEAT_STACK_LIST, HEAT_VALIDATE, CFN_LIST_STACKS)
OPERATIONS = KEYSTONE_OPERATIONS + HEAT_OPERATIONS
REJECTED_VALIDATION_STATUSES = (401, 404)
REJECTED_STATUSES = {
    VALIDATE: REJECTED_VALIDATION_STATUSES,
    HEAT_STACK_LIST: (401,),
    HEAT_VALIDATE: (401,),
    CFN_LIST_STACKS: (401, 403),
}

FRESH = "fresh"
KEEPALIVE = "keepalive"

_ERROR_DETAIL_LENGTH = 200


@dataclasses.dataclass(frozen=True, slots=True)
class RequestRecord:
    """What happened to one scheduled request.

    Times are Unix epoch seconds; ``sent`` and ``latency`` are ``None`` for
    a request that was skipped, and ``latency`` runs from ``sent`` until the
    answer was read or the error happened.
    """

    index: int
    url: str
    mode: str
    slow: bool
    scheduled: float
    sent: typing.Optional[float] = None
    latency: typing.Optional[float] = None
    status: typing.Optional[int] = None
    kind: typing.Optional[str] = None
    error: typing.Optional[str] = None
    operation: typing.Optional[str] = None

    @property
    def failed(self):
        """Whether the request counts against availability."""
        return self.kind in FAILURE_KINDS

    @property
    def skipped(self):
        """Whether the probe never sent the request (client overload)."""
        return self.kind == CLIENT_OVERLOAD

    @property
    def ok(self):
        """Whether the request was answered with a status below 400."""
        return self.kind is None

    @property
    def answered(self):
        """Whether the server answered, whatever the status."""
        return self.status is not None


FIELDS = tuple(field.name for field in dataclasses.fields(RequestRecord))


def record_to_row(record):
    """Return a record as a compact list, in :data:`FIELDS` order."""
    return [getattr(record, name) for name in FIELDS]


def kind_of_status(status, operation=None):
    """Return the kind of an HTTP status: ``None`` when it is a success.

    :param operation: the statuses :data:`REJECTED_STATUSES` gives for it
        are :data:`TOKEN_REJECTED`, for example a 401 or 404 to
        :data:`VALIDATE`: Keystone refused a token it had issued.
    """
    if status >= 500:
        return HTTP_5XX
    if status in REJECTED_STATUSES.get(operation, ()):
        return TOKEN_REJECTED
    if status >= 400:
        return HTTP_4XX
    return None


def kind_of_error(exc):
    """Return the kind of an exception raised while sending a request.

    An exception that only wraps another, as those of requests and
    keystoneauth1 do, has the kind of the first cause that has one.
    """
    return _kind_and_cause(exc)[0]


def describe_error(exc):
    """Return a short one-line description of an exception and its cause."""
    text = "%s: %s" % (type(exc).__name__, exc)
    cause = _kind_and_cause(exc)[1]
    if cause is not exc:
        text = "%s: %s: %s" % (type(exc).__name__, type(cause).__name__,
                               cause)
    return text[:_ERROR_DETAIL_LENGTH]


def _kind_and_cause(exc):
    for cause in _causes(exc):
        kind = _own_kind(cause)
        if kind != OTHER:
            return kind, cause
    return OTHER, exc


def _own_kind(exc):
    if isinstance(exc, ConnectionRefusedError):
        return CONN_REFUSED
    if isinstance(exc, (ConnectionResetError, ConnectionAbortedError,
                        BrokenPipeError, http.client.RemoteDisconnected,
                        http.client.IncompleteRead)):
        return CONN_RESET
    if isinstance(exc, socket.timeout):
        return TIMEOUT
    return OTHER


def _causes(exc, limit=20):
    """Yield exc, then what it wraps, breadth first, each once."""
    queue, seen = [exc], set()
    while queue and len(seen) < limit:
        current = queue.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = [current.__cause__, current.__context__,
                   getattr(current, "reason", None), *current.args]
        queue.extend(item for item in wrapped
                     if isinstance(item, BaseException))
