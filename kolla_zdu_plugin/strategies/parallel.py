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
"""Parallel: the new version warms up beside the old one on another port."""

from kolla_zdu_plugin.conf import loading
from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.planning import plan
from kolla_zdu_plugin.strategies import base
from kolla_zdu_plugin.strategies import steps


def warm_up(service, host, conf):
    """Return the steps that start and admit the parallel container."""
    offset = conf.parallel.port_offset
    return [steps.start_next(service, host, conf),
            steps.wait_ready(service, host, conf, port_offset=offset),
            steps.add_next(service, host, conf)]


def return_to_canonical(service, host, conf):
    """Return the steps moving ``host`` back to kolla's own container."""
    return (steps.drain(service, host, conf)
            + [steps.recreate(service, host, conf),
               steps.wait_ready(service, host, conf),
               steps.ready(service, host),
               steps.remove_next(service, host, conf)])


class ParallelStrategy(base.Strategy):
    """Start new containers on other ports, cut over, then clean up."""

    name = 'parallel'

    def plan_service(self, service, facts):
        """Plan a parallel upgrade of ``service``, one batch per host.

        :raises: ConfigError for a role with several fronted services:
            one temporary container cannot serve for all of them.
        """
        if service.siblings:
            raise exceptions.ConfigError(
                reason='strategy %s is asked for %s (by --zdu-strategy or '
                       '[zdu] in %s), but kolla role %s restarts them '
                       'together on each host and a parallel upgrade '
                       'starts only %s beside the old version; plan the '
                       'role with rolling or buffer in [zdu] '
                       'service_strategies'
                       % (self.name, ', '.join(service.names),
                          loading.config_source(self.conf), service.project,
                          steps.next_container_name(service, self.conf)))
        batches = [steps.batch([host], plan.PARALLEL,
                               warm_up(service, host, self.conf)
                               + return_to_canonical(service, host,
                                                     self.conf))
                   for host in service.hosts]
        return self.service_plan(
            service, steps.with_database_steps(service, batches))
