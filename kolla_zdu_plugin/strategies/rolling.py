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
"""Rolling drain: one host at a time, out of every HAProxy and back."""

from kolla_zdu_plugin.planning import plan
from kolla_zdu_plugin.strategies import base
from kolla_zdu_plugin.strategies import steps


class RollingStrategy(base.Strategy):
    """Drain, recreate, gate on readiness and restore each host in turn."""

    name = 'rolling'

    def plan_service(self, service, facts):
        """Plan a rolling drain of ``service``, one batch per host."""
        batches = []
        for host in service.hosts:
            planned = steps.drain(service, host, self.conf)
            planned.append(steps.recreate(service, host, self.conf))
            planned.append(steps.wait_ready(service, host, self.conf))
            planned.append(steps.ready(service, host))
            batches.append(steps.batch([host], plan.ROLLING, planned))
        return self.service_plan(service,
                                 steps.with_database_steps(service, batches))
