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
"""Find the database migrations a role's handlers run during upgrade.

kolla's images run ``db_sync --expand`` and ``--migrate`` when started with
``KOLLA_UPGRADE`` and ``--contract`` with ``KOLLA_FINISH_UPGRADE``. A role
whose handlers start such one-shot containers migrates its database around
the restarts; the plan must keep that order.
"""

import yaml

from kolla_zdu_plugin.servicemap import model

EXPAND_MIGRATE = 'expand-migrate'
CONTRACT = 'contract'


def _phase(environment):
    if 'KOLLA_FINISH_UPGRADE' in environment:
        return CONTRACT
    if 'KOLLA_UPGRADE' in environment:
        return EXPAND_MIGRATE
    return None


def find(handlers_text, service_name, hosts):
    """Return the database steps that handlers run for ``service_name``.

    :param handlers_text: the YAML text of the role's handlers.
    :param service_name: key of the service in ``<project>_services``.
    :param hosts: the service's hosts, in inventory order.
    :returns: a tuple of :class:`~.model.DatabaseStep`; expand and migrate
        run on the first host before any restart, contract on the last host
        after every restart.
    """
    try:
        handlers = yaml.safe_load(handlers_text) or []
    except yaml.YAMLError:
        return ()
    steps = []
    for handler in handlers:
        if not isinstance(handler, dict):
            continue
        if (handler.get('vars') or {}).get('service_name') != service_name:
            continue
        container = handler.get('kolla_container') or {}
        phase = _phase(container.get('environment') or {})
        if phase is None or not hosts:
            continue
        host = hosts[0] if phase == EXPAND_MIGRATE else hosts[-1]
        steps.append(model.DatabaseStep(handler=handler.get('name', ''),
                                        phase=phase, host=host))
    return tuple(steps)
