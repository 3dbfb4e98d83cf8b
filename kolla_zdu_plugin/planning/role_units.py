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
"""One unit of upgrade per kolla role: every fronted sibling together.

A zero-downtime batch applies a whole kolla role to its hosts, and kolla's
handlers then restart every changed container of the role there: heat's
role restarts heat_api, heat_api_cfn and heat_engine on the host it runs
on. So the HAProxy-fronted services of one role are planned as one unit,
whose batches drain the servers of all of them, recreate the role once and
gate on the readiness of all of them.
"""

import dataclasses

from kolla_zdu_plugin.conf import loading
from kolla_zdu_plugin import exceptions


def _ordered_union(lists):
    found = []
    for items in lists:
        found.extend(item for item in items if item not in found)
    return tuple(found)


def merge(services):
    """Return one service per role, its other fronted services as siblings.

    The first service of a role (in the service map's order) names the
    unit and its container; the unit has the hosts, backends, database
    steps and port variables of every member.

    :param services: the :class:`~.model.Service` list of a service map.
    """
    by_role = {}
    for service in services:
        by_role.setdefault(service.project, []).append(service)
    units = []
    for members in by_role.values():
        first = members[0]
        if len(members) == 1:
            units.append(first)
            continue
        units.append(dataclasses.replace(
            first,
            hosts=_ordered_union(m.hosts for m in members),
            backends=tuple(b for m in members for b in m.backends),
            database_steps=_ordered_union(m.database_steps for m in members),
            port_vars=_ordered_union(m.port_vars for m in members),
            siblings=tuple(members[1:])))
    return tuple(units)


def configured_strategy(unit, conf):
    """Return the strategy configured for every member of ``unit``.

    :raises: ConfigError when ``[zdu] service_strategies`` gives members
        of one role different strategies.
    """
    chosen = {member.name: conf.zdu.service_strategies.get(
        member.name, conf.zdu.strategy) for member in unit.members}
    if len(set(chosen.values())) > 1:
        raise exceptions.ConfigError(
            reason='[zdu] service_strategies in %s gives the services of '
                   "kolla role %s different strategies (%s), but the role's "
                   'handlers restart them together on each host; give them '
                   'one strategy'
                   % (loading.config_source(conf), unit.project,
                      ', '.join('%s: %s' % item
                                for item in sorted(chosen.items()))))
    return chosen[unit.name]
