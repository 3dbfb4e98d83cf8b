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

# The mechanisms a service plan's ``chosen`` names.
ROLLING = 'rolling'
PARALLEL = 'parallel'
BUFFER = 'buffer'
PARALLEL_BUFFER = 'parallel+buffer'


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
    """The strategy chosen for one service, why, and its steps.

    :param strategy: the strategy configured for the service.
    :param chosen: the mechanism that acts: what the strategy picked (auto
        picks rolling, parallel, buffer or parallel+buffer), or the
        strategy itself when None is given.
    """

    service: str
    project: str
    container: str
    strategy: str
    reason: str
    steps: typing.Tuple[Step, ...]
    chosen: typing.Optional[str] = None

    def __post_init__(self):
        if self.chosen is None:
            object.__setattr__(self, 'chosen', self.strategy)

    @property
    def label(self):
        """Return the strategy as shown, such as ``auto:rolling``."""
        if self.chosen == self.strategy:
            return self.strategy
        return '%s:%s' % (self.strategy, self.chosen)

    @property
    def starts_next_container(self):
        """Whether the new version starts beside the old, on other ports."""
        return self.chosen in (PARALLEL, PARALLEL_BUFFER)

    @property
    def holds_requests(self):
        """Whether HAProxy holds the service's requests for a while."""
        return self.chosen in (BUFFER, PARALLEL_BUFFER)


@dataclasses.dataclass(frozen=True)
class UpgradePlan:
    """The plan of a whole zero-downtime upgrade.

    :param bounds: the :class:`~kolla_zdu_plugin.planning.bounds.Bounds`
        the run applies.
    """

    services: typing.Tuple[ServicePlan, ...]
    loadbalancers: typing.Tuple[str, ...]
    notes: typing.Tuple[str, ...] = ()
    bounds: typing.Optional[typing.Any] = None

    def to_dict(self):
        """Return the plan as plain data for JSON."""
        return dataclasses.asdict(self)
