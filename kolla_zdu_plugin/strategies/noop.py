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
"""The strategy that changes nothing, for tests and dry runs."""

from kolla_zdu_plugin.planning import plan
from kolla_zdu_plugin.strategies import base


class NoopStrategy(base.Strategy):
    """Plan no step at all; kolla-ansible upgrades the service as usual."""

    name = 'noop'

    def plan_service(self, service, facts):
        """Return a plan with no batch and a single skip note."""
        return self.service_plan(service, [], notes=[
            plan.Step(host='*', action=plan.SKIP,
                      detail='no zero-downtime handling')])
