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
"""Heat's endpoints, as the probe user's service catalog gives them."""

import dataclasses
import typing

from keystoneauth1 import exceptions as ks_exceptions

from kolla_zdu_plugin import exceptions

ORCHESTRATION = "orchestration"
CLOUDFORMATION = "cloudformation"

_HINTS = {
    ORCHESTRATION: "register heat-api in Keystone, choose another "
                   "--heat-interface, or set --heat-stack-list-share and "
                   "--heat-validate-share to 0",
    CLOUDFORMATION: "register heat-api-cfn in Keystone, choose another "
                    "--heat-interface, or set --heat-cfn-share 0",
}


@dataclasses.dataclass(frozen=True)
class Endpoints:
    """The heat-api and heat-api-cfn endpoints the probe sends to."""

    orchestration: typing.Optional[str] = None
    cloudformation: typing.Optional[str] = None


def find_endpoints(access_info, interface, service_types, who):
    """Return the :class:`Endpoints` of service_types in a service catalog.

    :param access_info: keystoneauth1 access info with the catalog.
    :param interface: ``public`` or ``internal``.
    :param service_types: :data:`ORCHESTRATION`, :data:`CLOUDFORMATION`
        or both.
    :param who: the user the catalog belongs to, for messages.
    :raises ProbeError: naming the missing service type and those found.
    """
    catalog = access_info.service_catalog
    found = {}
    for service_type in service_types:
        try:
            found[service_type] = catalog.url_for(
                service_type=service_type, interface=interface)
        except ks_exceptions.EndpointNotFound:
            raise exceptions.ProbeError(reason=_missing(
                catalog, interface, service_type, who))
    return Endpoints(**found)


def _missing(catalog, interface, service_type, who):
    present = sorted(service for service, endpoints
                     in catalog.get_endpoints(interface=interface).items()
                     if endpoints)
    return ("pre-flight check failed: the service catalog of %s has no %s "
            "endpoint of type %r (%s endpoints: %s); %s"
            % (who, interface, service_type, interface,
               ", ".join(present) or "none", _HINTS[service_type]))
