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
"""The steps of the heat mode's pre-flight, and what their failures say.

Each step raises :class:`ProbeError` with one message naming the operation,
the endpoint, the answer and what to check.
"""

import re

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.probe import record
from kolla_zdu_plugin.probe import sessions

_REQUESTS = {
    record.HEAT_STACK_LIST: ("GET %s/stacks", "heat-api", "orchestration"),
    record.HEAT_VALIDATE: ("POST %s/validate", "heat-api", "orchestration"),
    record.CFN_LIST_STACKS: ("GET %s/?Action=ListStacks", "heat-api-cfn",
                             "cloudformation"),
}
_XML_FIELD = re.compile(r"<(Code|Message)>([^<]*)</\1>")


def authenticate(requester, client):
    """Authenticate client's session; return the access info and catalog.

    :raises ProbeError: when Keystone does not authenticate the user.
    """
    client.prepare(True, requester.timeout)
    try:
        return client.session.auth.get_access(client.session)
    except Exception as exc:
        raise exceptions.ProbeError(
            reason="pre-flight check failed: cannot authenticate %s for "
                   "heat: %s" % (requester.credentials.describe(),
                                 record.describe_error(exc)))


def check_operation(requester, client, operation):
    """Make operation once with client; raise unless it succeeds.

    :param requester: the :class:`heat.HeatRequester`, its endpoints known.
    :raises ProbeError: naming the endpoint and its answer.
    """
    client.prepare(True, requester.timeout)
    request, service, service_type = _REQUESTS[operation]
    where = "%s (%s)" % (operation, request % requester.url_for(
        operation).rstrip("/"))
    try:
        status = requester.operate(client, operation)
    except Exception as exc:
        raise exceptions.ProbeError(
            reason="pre-flight check failed: %s: %s; check that %s listens "
                   "at the %s %s endpoint of the service catalog"
                   % (where, record.describe_error(exc), service,
                      requester.interface, service_type))
    if status >= 400:
        detail = answer_detail(client.answer)
        raise exceptions.ProbeError(
            reason="pre-flight check failed: %s: HTTP %d%s; %s"
                   % (where, status, " (%s)" % detail if detail else "",
                      _hint(operation, status, service)))


def answer_detail(response):
    """Return the error of a JSON or CloudFormation XML answer."""
    if response is not None and "xml" in response.headers.get(
            "Content-Type", ""):
        fields = dict(_XML_FIELD.findall(response.text[:4096]))
        if fields:
            return ": ".join(fields[name] for name in ("Code", "Message")
                             if fields.get(name))
    return sessions.detail(response)


def _hint(operation, status, service):
    if operation == record.CFN_LIST_STACKS and status in (401, 403):
        return ("heat-api-cfn could not check the request's EC2 signature "
                "with Keystone's /v3/ec2tokens; check its [ec2authtoken] "
                "section, which needs credentials of its own (auth_type, "
                "auth_url, username, password) where Keystone refuses "
                "unauthenticated /v3/ec2tokens calls")
    if status == 401:
        return ("heat-api could not validate the probe user's token; check "
                "its [keystone_authtoken] section")
    if status == 403:
        return ("the probe user needs a role heat's policy accepts in its "
                "project, for example member")
    if status == 404:
        return "check the endpoint of %s in the service catalog" % service
    return "%s and heat-engine must answer before the load starts" % service
