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
"""AWS signature version 2, as heat-api-cfn's query API checks it.

heat-api-cfn passes the signature, the Host header, the method, the path and
the other query parameters to Keystone's ``/v3/ec2tokens``, which signs them
again with the EC2 credential's secret and compares::

    string to sign = METHOD \\n host[:port] in lower case \\n path \\n query

where the query is every parameter but ``Signature``, sorted by name, each
name and value percent-encoded as RFC 3986 says (all but ``A-Z a-z 0-9 - _
. ~``) and joined as ``name=value`` with ``&``. The signature is the base64
of the HMAC-SHA256 of that string, keyed with the secret.
"""

import base64
import hashlib
import hmac
import time
import urllib.parse

SIGNATURE_METHOD = "HmacSHA256"
SIGNATURE_VERSION = "2"
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_query(params):
    """Return params as the sorted, RFC 3986-encoded query that is signed."""
    return "&".join("%s=%s" % (_encode(name), _encode(params[name]))
                    for name in sorted(params))


def string_to_sign(method, host, path, params):
    """Return the version 2 string to sign of a request."""
    return "\n".join((method.upper(), host.lower(), path or "/",
                      canonical_query(params)))


def signature(secret, method, host, path, params):
    """Return the base64 HmacSHA256 version 2 signature of a request.

    :param host: the Host header: the host, and ``:port`` unless the port
        is the scheme's default.
    :param params: the query parameters, ``Signature`` excepted.
    """
    digest = hmac.new(secret.encode("utf-8"),
                      string_to_sign(method, host, path,
                                     params).encode("utf-8"),
                      hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def host_header(url):
    """Return the Host header an HTTP client sends to url."""
    parts = urllib.parse.urlsplit(url)
    host = parts.netloc.rpartition("@")[2].lower()
    if parts.port is not None and parts.port == _DEFAULT_PORTS.get(
            parts.scheme):
        host = host.rsplit(":", 1)[0]
    return host


def signed_url(url, access, secret, params, now, method="GET"):
    """Return url with params, signed with an EC2 credential, as its query.

    The path gets a trailing slash: heat-api-cfn serves its actions at
    ``/v1/``, and answers 404 at the catalog's ``/v1`` once the signature
    is checked.

    :param url: the CloudFormation endpoint, without a query.
    :param access: the credential's access key.
    :param params: the action's parameters, e.g. ``Action`` and ``Version``.
    :param now: the Unix time of the ``Timestamp`` parameter.
    """
    parts = urllib.parse.urlsplit(url)
    path = parts.path.rstrip("/") + "/"
    query = dict(params, AWSAccessKeyId=access,
                 SignatureMethod=SIGNATURE_METHOD,
                 SignatureVersion=SIGNATURE_VERSION,
                 Timestamp=time.strftime(TIMESTAMP_FORMAT, time.gmtime(now)))
    query["Signature"] = signature(secret, method, host_header(url), path,
                                   query)
    return urllib.parse.urlunsplit(
        (parts.scheme, parts.netloc, path, canonical_query(query), ""))


def _encode(text):
    return urllib.parse.quote(str(text), safe="~")
