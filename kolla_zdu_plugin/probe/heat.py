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
"""Heat operations for the heat mode, through keystoneauth1.

The requests, in the shares the settings give:

* ``heat-stack-list``: ``GET {orchestration}/stacks``, and
  ``heat-validate``: ``POST {orchestration}/validate`` with an empty HOT
  template, both with the probe user's token; heat-api answers either with
  an RPC call to heat-engine;
* ``cfn-list-stacks``: heat-api-cfn's ``ListStacks``, signed with an EC2
  credential of the user (:mod:`cfn_signature`), which heat-api-cfn checks
  with Keystone's ``/v3/ec2tokens`` before its RPC call;
* ``issue`` and ``validate``: the keystone mode's token operations.

Each worker thread's session (:mod:`sessions`) authenticates in its first
request that needs a token and reuses that token, as a client of heat does,
until keystoneauth1 finds it within two minutes of its expiry. A 401 is
recorded, not retried with a new token; the session then drops its token,
so its next request authenticates again. If that authentication fails, the
heat request fails with Keystone's answer. The endpoints are those of the
service catalog of the pre-flight's token.
"""

import logging
import time

from keystoneauth1 import exceptions as ks_exceptions

from kolla_zdu_plugin.probe import cfn_signature
from kolla_zdu_plugin.probe import ec2_credentials
from kolla_zdu_plugin.probe import heat_endpoints
from kolla_zdu_plugin.probe import heat_preflight
from kolla_zdu_plugin.probe import identity
from kolla_zdu_plugin.probe import keystone
from kolla_zdu_plugin.probe import mix
from kolla_zdu_plugin.probe import record
from kolla_zdu_plugin.probe import sessions

LOG = logging.getLogger(__name__)

TEMPLATE = {"heat_template_version": "2021-04-16", "resources": {}}
CFN_PARAMS = {"Action": "ListStacks", "Version": "2010-05-15"}
TOKEN = "token"
_SERVICE_TYPES = {
    record.HEAT_STACK_LIST: heat_endpoints.ORCHESTRATION,
    record.HEAT_VALIDATE: heat_endpoints.ORCHESTRATION,
    record.CFN_LIST_STACKS: heat_endpoints.CLOUDFORMATION,
}


def requester_for(settings):
    """Return the :class:`HeatRequester` of settings, or None.

    :param settings: a validated :class:`ProbeSettings`; ``None`` is
        returned unless it selects the heat mode.
    """
    if not settings.heat_mode:
        return None
    return HeatRequester(identity.credentials_from_settings(settings),
                         settings)


def operation_shares(settings):
    """Return the ``(operation, share)`` pairs of the heat mode's requests.

    :data:`TOKEN` stands for the token requests, issue or validate.
    """
    return [(record.HEAT_STACK_LIST, settings.heat_stack_list_share),
            (record.HEAT_VALIDATE, settings.heat_validate_share),
            (record.CFN_LIST_STACKS, settings.heat_cfn_share),
            (TOKEN, settings.heat_token_share)]


class HeatRequester:
    """Make the heat mode's requests as the probe user, from many threads."""

    def __init__(self, credentials, settings):
        self.credentials = credentials
        self.interface = settings.heat_interface
        self.keystone = keystone.KeystoneRequester(
            credentials, settings.timeout, settings.keystone_validate_share)
        self.endpoints = heat_endpoints.Endpoints()
        self.ec2 = None
        self.timeout = settings.timeout
        self._shares = operation_shares(settings)
        self._clients = sessions.ThreadClients(self.new_client)

    @property
    def heat_operations(self):
        """The heat operations the run makes, those with a share."""
        return [operation for operation, share in self._shares
                if share > 0 and operation in _SERVICE_TYPES]

    def new_client(self):
        """Return a session that authenticates as the probe user."""
        return sessions.Client(self.credentials,
                               auth=self.credentials.password_plugin())

    def operation_for(self, index):
        """Return the operation of request index, spread by its share."""
        operation, rank = mix.pick(index, self._shares)
        if operation == TOKEN:
            return self.keystone.operation_for(rank)
        return operation

    def url_for(self, operation):
        """Return the endpoint an operation is sent to."""
        service_type = _SERVICE_TYPES.get(operation)
        if service_type is None:
            return self.keystone.url
        return getattr(self.endpoints, service_type)

    def preflight(self):
        """Check the token operations, then make each heat operation once.

        The endpoints are looked up, and the EC2 credential found or made,
        on the way.

        :raises ProbeError: naming the endpoint and its answer, when a step
            fails.
        """
        self.keystone.preflight()
        client = self.new_client()
        try:
            access_info = heat_preflight.authenticate(self, client)
            service_types = sorted({_SERVICE_TYPES[operation]
                                    for operation in self.heat_operations})
            self.endpoints = heat_endpoints.find_endpoints(
                access_info, self.interface, service_types,
                self.credentials.describe())
            if record.CFN_LIST_STACKS in self.heat_operations:
                self.ec2 = ec2_credentials.ensure_credential(
                    client, self.credentials, access_info)
            for operation in self.heat_operations:
                heat_preflight.check_operation(self, client, operation)
        finally:
            client.close()
        LOG.info("pre-flight: %s answered at %s", ", ".join(
            self.heat_operations), ", ".join(
                sorted({self.url_for(op) for op in self.heat_operations})))

    def send(self, operation, keepalive, deadline):
        """Make one operation in this thread's session; return the status.

        :raises: as :func:`sessions.send`.
        """
        return sessions.send(self._clients.get(), keepalive, deadline,
                             self.timeout,
                             lambda client: self.operate(client, operation))

    def close(self):
        """Close every thread's session."""
        self._clients.close()
        self.keystone.close()

    def operate(self, client, operation):
        """Make operation in client's session and return the status."""
        if operation == record.HEAT_STACK_LIST:
            return self._heat_request(client, "GET", "/stacks", None)
        if operation == record.HEAT_VALIDATE:
            return self._heat_request(client, "POST", "/validate",
                                      {"template": TEMPLATE})
        if operation == record.CFN_LIST_STACKS:
            return self._list_cfn_stacks(client)
        return self.keystone.operate(client, operation)

    def _heat_request(self, client, method, path, body):
        url = self.endpoints.orchestration.rstrip("/") + path
        try:
            response = client.session.request(
                url, method, json=body, authenticated=True,
                allow_reauth=False, raise_exc=False, log=False,
                **sessions.NO_RETRIES)
        except ks_exceptions.HttpError as exc:
            return exc.http_status
        if response.status_code == 401:
            client.session.invalidate()
        return response.status_code

    def _list_cfn_stacks(self, client):
        url = cfn_signature.signed_url(
            self.endpoints.cloudformation, self.ec2.access, self.ec2.secret,
            CFN_PARAMS, time.time())
        response = client.session.get(url, authenticated=False,
                                      raise_exc=False, log=False,
                                      **sessions.NO_RETRIES)
        return response.status_code
