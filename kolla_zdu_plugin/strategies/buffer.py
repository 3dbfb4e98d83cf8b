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
"""Buffer: every instance restarts at once while HAProxy holds requests."""

from kolla_zdu_plugin.planning import plan
from kolla_zdu_plugin.strategies import base
from kolla_zdu_plugin.strategies import steps


class BufferStrategy(base.Strategy):
    """Hold requests at the load balancer across a simultaneous restart."""

    name = 'buffer'

    def plan_service(self, service, facts):
        """Plan a buffered restart of every host of ``service`` at once."""
        planned = [steps.hold(service, self.conf),
                   steps.wait_held_drained(service, self.conf)]
        planned += [steps.recreate(service, host, self.conf)
                    for host in service.hosts]
        planned += [steps.wait_ready(service, host, self.conf)
                    for host in service.hosts]
        planned.append(steps.release(service))
        return self.service_plan(service, steps.with_database_steps(
            service, [steps.batch(service.hosts, plan.BUFFER, planned)]))
