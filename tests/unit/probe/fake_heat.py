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
"""A fake Keystone, heat-api and heat-api-cfn on 127.0.0.1 for the heat mode.

Three servers on ephemeral ports, as the three services have ports of their
own:

* :attr:`FakeHeat.keystone`, the Keystone of :mod:`fake_keystone`, whose
  tokens carry a catalog with ``orchestration`` and ``cloudformation``
  endpoints, and which keeps the probe user's EC2 credentials
  (``GET`` and ``POST /v3/users/u1/credentials/OS-EC2``; ``ec2_status``
  makes both answer that status);
* :attr:`FakeHeat.heat`, heat-api: ``GET /v1/p1/stacks`` and
  ``POST /v1/p1/validate`` with a HOT template answer 200 to a token
  Keystone issued, 401 to any other;
* :attr:`FakeHeat.cfn`, heat-api-cfn: ``GET /v1/?Action=ListStacks&...``
  answers 200 when its AWS signature version 2, computed here from the
  request's own Host header, path and query with the secret Keystone holds
  for its access key, matches, and 403 ``SignatureDoesNotMatch`` otherwise
  or when its ``reject_signatures`` is set.

The internal endpoints are the same servers under ``/internal``. Every
server takes ``status``, ``get_status``, ``delay``, ``reset`` and
``echo_close`` as in :mod:`fake_keystone`, heat-api also ``post_status``
(the validations only); :meth:`FakeHeat.stop` refuses new connections to
one service. A server's ``calls`` counts its requests by method and path
(Keystone's: the credential requests only).
"""

import base64
import collections
import hashlib
import hmac
import json
import urllib.parse
import uuid

import fixtures

from tests.unit.probe import fake_keystone
from tests.unit.probe import loopback

PROJECT_ID = fake_keystone.PROJECT_ID
USER_ID = fake_keystone.USER_ID
STACKS_PATH = "/v1/%s/stacks" % PROJECT_ID
VALIDATE_PATH = "/v1/%s/validate" % PROJECT_ID
# heat-api-cfn serves its actions at /v1/ and answers 404 at /v1 once the
# signature is checked; its catalog endpoint is /v1.
CFN_PATH = "/v1/"
CREDENTIALS_PATH = "/v3/users/%s/credentials/OS-EC2" % USER_ID
INTERNAL = "/internal"
_CFN_OK = (b"<ListStacksResponse><ListStacksResult><StackSummaries/>"
           b"</ListStacksResult></ListStacksResponse>")


class _Handler(fake_keystone._Handler):
    """Counts each request in ``calls`` and honours the failure knobs."""

    def do_GET(self):
        self._serve(None)

    def do_POST(self):
        self._serve(self.rfile.read(int(self.headers.get("Content-Length",
                                                         0))))

    def _serve(self, body):
        parts = urllib.parse.urlsplit(self.path)
        self.count_request()
        self.server.count_call(self.command, parts.path)
        if self._overridden():
            return
        path = parts.path
        if path.startswith(INTERNAL + "/"):
            path = path[len(INTERNAL):]
        self.respond(path, parts, body)

    def count_request(self):
        self.server.count(self.command, self.client_address)

    def _xml(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _HeatHandler(_Handler):

    def respond(self, path, parts, body):
        override = (self.server.get_status if self.command == "GET"
                    else self.server.post_status)
        if override is not None:
            return self._error(override)
        if (self.command, path) not in (("GET", STACKS_PATH),
                                        ("POST", VALIDATE_PATH)):
            return self._error(404)
        if not self.server.keystone.knows(self.headers.get("X-Auth-Token")):
            return self._error(401)
        if self.command == "GET":
            return self._answer(200, {"stacks": []})
        template = json.loads(body or b"{}").get("template") or {}
        if "heat_template_version" not in template:
            return self._error(400)
        self._answer(200, {"Description": "No description",
                           "Parameters": {}, "ParameterGroups": []})


class _CfnHandler(_Handler):

    def respond(self, path, parts, body):
        if self.server.get_status is not None:
            return self._error(self.server.get_status)
        if (self.command, path) != ("GET", CFN_PATH):
            return self._error(404)
        params = dict(urllib.parse.parse_qsl(parts.query,
                                             keep_blank_values=True))
        if (params.get("Action"), params.get("Version")) != (
                "ListStacks", "2010-05-15"):
            return self._cfn_error(400, "InvalidAction")
        signature = params.pop("Signature", None)
        secret = self.server.keystone.secret_of(params.get("AWSAccessKeyId"))
        if secret is None:
            return self._cfn_error(403, "InvalidClientTokenId")
        expected = expected_signature(secret, self.command,
                                      self.headers["Host"], parts.path,
                                      params)
        if (self.server.reject_signatures
                or params.get("SignatureVersion") != "2"
                or params.get("SignatureMethod") != "HmacSHA256"
                or signature != expected):
            return self._cfn_error(403, "SignatureDoesNotMatch")
        self._xml(200, _CFN_OK)

    def _cfn_error(self, status, code):
        self._xml(status, (
            "<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code>"
            "<Message>rejected by the fake heat-api-cfn</Message></Error>"
            "</ErrorResponse>" % code).encode("utf-8"))


class _KeystoneHandler(_Handler):
    """Keystone's token calls, and the EC2 credentials of the probe user."""

    def do_GET(self):
        if self._credentials_call():
            return super().do_GET()
        fake_keystone._Handler.do_GET(self)

    def do_POST(self):
        if self._credentials_call():
            return super().do_POST()
        fake_keystone._Handler.do_POST(self)

    def _credentials_call(self):
        path = urllib.parse.urlsplit(self.path).path
        return path.startswith("/v3/users/")

    def count_request(self):
        """Count credential calls in ``calls`` only, not as token calls."""

    def respond(self, path, parts, body):
        if self.server.ec2_status is not None:
            return self._error(self.server.ec2_status)
        if not self.server.knows(self.headers.get("X-Auth-Token")):
            return self._error(401)
        if path != CREDENTIALS_PATH:
            return self._error(404)
        if self.command == "GET":
            return self._answer(200, {"credentials":
                                      self.server.ec2_credentials()})
        if json.loads(body or b"{}").get("tenant_id") != PROJECT_ID:
            return self._error(400)
        self._answer(201, {"credential": self.server.add_credential()})


def expected_signature(secret, method, host, path, params):
    """Sign as Keystone's Ec2Signer does for signature version 2."""
    pairs = ["%s=%s" % (urllib.parse.quote(name, safe=""),
                        urllib.parse.quote(params[name], safe="-_~"))
             for name in sorted(params)]
    text = "%s\n%s\n%s\n%s" % (method, host, path, "&".join(pairs))
    digest = hmac.new(secret.encode("utf-8"), text.encode("utf-8"),
                      hashlib.sha256).digest()
    return base64.b64encode(digest).decode("utf-8")


class _Server(fake_keystone._Server):

    def __init__(self, keystone=None):
        super().__init__()
        self.keystone = keystone
        self.calls = collections.Counter()
        self.post_status = None

    def count_call(self, method, path):
        with self._lock:
            self.calls["%s %s" % (method, path)] += 1


class _HeatServer(_Server):
    handler = _HeatHandler


class _CfnServer(_Server):
    handler = _CfnHandler
    reject_signatures = False


class _KeystoneServer(_Server):
    handler = _KeystoneHandler

    def __init__(self):
        super().__init__()
        self.ec2_status = None
        self._ec2 = {}

    def add_credential(self, project_id=PROJECT_ID, trust_id=None):
        credential = {"access": uuid.uuid4().hex, "secret": uuid.uuid4().hex,
                      "user_id": USER_ID, "tenant_id": project_id,
                      "trust_id": trust_id}
        with self._lock:
            self._ec2[credential["access"]] = credential
        return dict(credential)

    def ec2_credentials(self):
        with self._lock:
            return [dict(credential) for credential in self._ec2.values()]

    def secret_of(self, access):
        with self._lock:
            credential = self._ec2.get(access)
        return None if credential is None else credential["secret"]

    def change_secrets(self):
        with self._lock:
            for credential in self._ec2.values():
                credential["secret"] = uuid.uuid4().hex


def _service(service_type, name, url, path):
    return {"type": service_type, "name": name, "id": service_type,
            "endpoints": [
                {"id": "%s-%s" % (service_type, interface),
                 "interface": interface, "region": "RegionOne",
                 "region_id": "RegionOne",
                 "url": url + (INTERNAL if interface == "internal" else "")
                 + path}
                for interface in ("public", "internal")]}


class FakeHeat(fixtures.Fixture):
    """Fake Keystone, heat-api and heat-api-cfn servers, for one test."""

    def _setUp(self):
        self.keystone = loopback.serve_until_cleanup(self, _KeystoneServer())
        self.heat = loopback.serve_until_cleanup(
            self, _HeatServer(self.keystone))
        self.cfn = loopback.serve_until_cleanup(
            self, _CfnServer(self.keystone))
        self.set_catalog()

    @property
    def url(self):
        """The identity endpoint, without /v3."""
        return _url(self.keystone)

    def heat_url(self, interface="public"):
        """The orchestration endpoint of the catalog."""
        return _url(self.heat, interface) + "/v1/" + PROJECT_ID

    def cfn_url(self, interface="public"):
        """The cloudformation endpoint of the catalog."""
        return _url(self.cfn, interface) + CFN_PATH

    def set_catalog(self, service_types=("orchestration", "cloudformation")):
        """Make the tokens' catalog hold identity and these services."""
        services = {
            "orchestration": _service("orchestration", "heat",
                                      _url(self.heat), "/v1/" + PROJECT_ID),
            "cloudformation": _service("cloudformation", "heat-cfn",
                                       _url(self.cfn), CFN_PATH),
        }
        self.keystone.catalog = [_service("identity", "keystone", self.url,
                                          "/v3")] + [
            services[service_type] for service_type in service_types]

    @property
    def issued(self):
        """How many tokens Keystone has issued."""
        return self.keystone.requests["POST"]

    def stop(self, server):
        """Stop one server: new connections to it are refused from now."""
        server.shutdown()
        server.server_close()


def _url(server, interface="public"):
    return "http://127.0.0.1:%d%s" % (
        server.server_port, INTERNAL if interface == "internal" else "")
