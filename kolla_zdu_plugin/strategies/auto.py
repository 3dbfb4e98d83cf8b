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
"""Auto: choose, and combine, the strategies per service from facts."""

import dataclasses

from kolla_zdu_plugin.planning import plan
from kolla_zdu_plugin.strategies import base
from kolla_zdu_plugin.strategies import steps

COMBINED = plan.PARALLEL_BUFFER


def _serving_servers(service):
    """Return the number of non-backup servers of the service's backends."""
    return min(sum(1 for server in backend.servers if not server.backup)
               for backend in service.backends)


def _mixed_versions_unsafe(service, facts, conf):
    return (not facts.mixed_versions_safe
            or service.name in conf.zdu.mixed_version_unsafe_services)


def buffered_cutover(service, conf):
    """Plan parallel warm-up on every host, then one buffered cut-over.

    Old and new versions never serve together: the new containers warm up
    on other ports while the old ones serve, then HAProxy holds requests
    for the short moment the servers are swapped. Every host acts at once,
    so the plan is one batch.
    """
    planned = []
    for host in service.hosts:
        planned.append(steps.start_next(service, host, conf))
        planned.append(steps.wait_ready(service, host, conf,
                                        port_offset=conf.parallel.port_offset))
    planned.append(steps.hold(service, conf))
    planned.append(steps.wait_held_drained(service, conf))
    planned += [steps.add_next(service, host, conf) for host in service.hosts]
    planned.append(steps.release(service))
    for host in service.hosts:
        planned.append(steps.recreate(service, host, conf))
        planned.append(steps.wait_ready(service, host, conf))
        planned.append(steps.ready(service, host))
        planned.append(steps.remove_next(service, host, conf))
    return steps.with_database_steps(
        service, [steps.batch(service.hosts, COMBINED, planned)])


class AutoStrategy(base.Strategy):
    """Pick rolling, parallel, buffer or parallel+buffer for each service."""

    name = 'auto'

    def choose(self, service, facts):
        """Return ``(strategy name, reason)`` for ``service``.

        A role with several fronted services never goes parallel, which
        starts one temporary container: it rolls, or is buffered.
        """
        name, reason = self._choose_one(service, facts)
        if service.siblings and name in ('parallel', COMBINED):
            return ('buffer', "kolla role %s restarts %s together on each "
                    "host, and parallel would start only one of them "
                    "beside the old version; HAProxy holds their requests "
                    "while the role restarts (%s)"
                    % (service.project, ', '.join(service.names), reason))
        return name, reason

    def _choose_one(self, service, facts):
        servers = _serving_servers(service)
        max_restart = self.conf.buffer.max_restart_time
        if _mixed_versions_unsafe(service, facts, self.conf):
            if (facts.restart_time is not None
                    and facts.restart_time <= max_restart):
                return ('buffer', 'old and new versions must not serve '
                        'together; a restart of %.1f s fits within '
                        '[buffer] max_restart_time %d s'
                        % (facts.restart_time, max_restart))
            return (COMBINED, 'old and new versions must not serve '
                    'together; warming up in parallel keeps the buffered '
                    'cut-over short whatever the start-up time')
        if any(backend.custom_member_list for backend in service.backends) \
                and servers < 2:
            return ('parallel', 'its backend has a custom member list with '
                    'one server; draining it would leave no server')
        if servers >= 2:
            return ('rolling', '%d servers behind every backend; the others '
                    'carry the load while one host drains' % servers)
        return ('parallel', 'only one server behind the backend; draining '
                'it would leave no server, so the new version starts '
                'beside it')

    def plan_service(self, service, facts):
        """Plan ``service`` with the strategy :meth:`choose` picks."""
        name, reason = self.choose(service, facts)
        if name == COMBINED:
            return self.service_plan(
                service, buffered_cutover(service, self.conf), reason,
                chosen=COMBINED)
        result = self.registry.get(name).plan_service(service, facts)
        return dataclasses.replace(result, strategy=self.name, chosen=name,
                                   reason=reason)
