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
many were outstanding are not.
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

FAILURE_KINDS = (HTTP_5XX, CONN_REFUSED, CONN_RESET, TIMEOUT, OTHER)

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


def kind_of_status(status):
    """Return the kind of an HTTP status: ``None`` when it is a success."""
    if status >= 500:
        return HTTP_5XX
    if status >= 400:
        return HTTP_4XX
    return None


def kind_of_error(exc):
    """Return the kind of an exception raised while sending a request."""
    if isinstance(exc, ConnectionRefusedError):
        return CONN_REFUSED
    if isinstance(exc, (ConnectionResetError, ConnectionAbortedError,
                        BrokenPipeError, http.client.RemoteDisconnected,
                        http.client.IncompleteRead)):
        return CONN_RESET
    if isinstance(exc, socket.timeout):
        return TIMEOUT
    return OTHER


def describe_error(exc):
    """Return a short one-line description of an exception."""
    text = "%s: %s" % (type(exc).__name__, exc)
    return text[:_ERROR_DETAIL_LENGTH]
