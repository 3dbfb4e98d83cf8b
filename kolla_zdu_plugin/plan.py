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
"""The plan of a zero-downtime upgrade: services, hosts and steps."""

import dataclasses
import typing

DB_EXPAND_MIGRATE = 'db-expand-migrate'
DB_CONTRACT = 'db-contract'
DRAIN = 'drain'
WAIT_DRAINED = 'wait-drained'
RECREATE = 'recreate'
WAIT_READY = 'wait-ready'
READY = 'ready'
HOLD = 'hold'
RELEASE = 'release'
START_NEXT = 'start-next'
ADD_NEXT = 'add-next-server'
REMOVE_NEXT = 'remove-next'
SKIP = 'skip'


@dataclasses.dataclass(frozen=True)
class Step:
    """One action of the upgrade of a service.

    :param host: the host acted on, or ``'*'`` for all hosts at once.
    :param action: one of the action constants of this module.
    :param detail: what exactly is done, for humans.
    :param servers: ``backend/server`` names touched in HAProxy.
    :param loadbalancers: the HAProxy hosts where the servers are changed.
    :param window: the longest time the step may take, in seconds.
    """

    host: str
    action: str
    detail: str
    servers: typing.Tuple[str, ...] = ()
    loadbalancers: typing.Tuple[str, ...] = ()
    window: typing.Optional[float] = None


@dataclasses.dataclass(frozen=True)
class ServicePlan:
    """The strategy chosen for one service, why, and its steps."""

    service: str
    project: str
    container: str
    strategy: str
    reason: str
    steps: typing.Tuple[Step, ...]


@dataclasses.dataclass(frozen=True)
class UpgradePlan:
    """The plan of a whole zero-downtime upgrade."""

    services: typing.Tuple[ServicePlan, ...]
    loadbalancers: typing.Tuple[str, ...]
    notes: typing.Tuple[str, ...] = ()

    def to_dict(self):
        """Return the plan as plain data for JSON."""
        return dataclasses.asdict(self)
