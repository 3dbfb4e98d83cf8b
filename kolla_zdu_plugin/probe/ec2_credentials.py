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
"""The EC2 credential the heat mode signs CloudFormation requests with.

The probe user's credential for its project is reused if Keystone has one,
and made once otherwise, through Keystone's ``OS-EC2`` API; the user needs
no more than the right to manage its own EC2 credentials.
"""

import dataclasses

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.probe import record
from kolla_zdu_plugin.probe import sessions

_POLICY_HINT = ("the probe user must be allowed to list and create its own "
                "EC2 credentials (keystone policies "
                "identity:ec2_list_credentials and "
                "identity:ec2_create_credential), or set --heat-cfn-share 0")


@dataclasses.dataclass(frozen=True)
class Ec2Credential:
    """An EC2 access key and its secret."""

    access: str
    secret: str = dataclasses.field(repr=False)


def ensure_credential(client, credentials, access_info):
    """Return an EC2 credential of the probe user for its project.

    :param client: a :class:`sessions.Client` authenticating as the user.
    :param credentials: the user's :class:`identity.Credentials`.
    :param access_info: the user's keystoneauth1 access info, for its user
        and project ids.
    :raises ProbeError: naming the URL and Keystone's answer.
    """
    url = "%s/users/%s/credentials/OS-EC2" % (credentials.v3_url,
                                              access_info.user_id)
    project_id = access_info.project_id
    listed = _call(client, "GET", url, None, "list")
    for item in listed.get("credentials") or []:
        if _usable(item, project_id):
            return _credential(item)
    created = _call(client, "POST", url, {"tenant_id": project_id}, "create")
    item = created.get("credential") or {}
    if not _usable(item, project_id):
        raise exceptions.ProbeError(
            reason="pre-flight check failed: Keystone created no usable EC2 "
                   "credential at %s for project %s" % (url, project_id))
    return _credential(item)


def _usable(item, project_id):
    return (item.get("tenant_id") == project_id and not item.get("trust_id")
            and bool(item.get("access")) and bool(item.get("secret")))


def _credential(item):
    return Ec2Credential(access=item["access"], secret=item["secret"])


def _call(client, method, url, body, step):
    try:
        response = client.session.request(
            url, method, json=body, authenticated=True, raise_exc=False,
            log=False, **sessions.NO_RETRIES)
    except Exception as exc:
        raise exceptions.ProbeError(
            reason="pre-flight check failed: cannot %s the EC2 credentials "
                   "at %s: %s" % (step, url, record.describe_error(exc)))
    if response.status_code >= 400:
        detail = sessions.detail(response)
        raise exceptions.ProbeError(
            reason="pre-flight check failed: Keystone refused to %s the EC2 "
                   "credentials at %s: HTTP %d%s; %s"
                   % (step, url, response.status_code,
                      " (%s)" % detail if detail else "", _POLICY_HINT))
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise exceptions.ProbeError(
            reason="pre-flight check failed: %s %s did not answer a JSON "
                   "object" % (method, url))
    return data
