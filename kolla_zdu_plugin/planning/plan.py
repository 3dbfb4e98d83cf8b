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

from kolla_zdu_plugin.servicemap import model

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
# The loadbalancer's own upgrade.
BRIDGE = 'bridge'
SOFT_STOP = 'soft-stop'
HOLD_VIP = 'hold-vip'
RETIRE_BRIDGE = 'retire-bridge'
RELEASE_VIP = 'release-vip'
# A role applied one host at a time: the wait before the next host.
SETTLE = 'settle'

# What the site pass does with a play of the site playbook.
SITE_SKIP = 'leave out'
SITE_NARROW = 'narrow'
SITE_ROLL = 'roll'
SITE_FIRST = 'run first'

# The mechanisms a service plan's ``chosen`` names.
ROLLING = 'rolling'
PARALLEL = 'parallel'
BUFFER = 'buffer'
PARALLEL_BUFFER = 'parallel+buffer'
HANDOFF = 'handoff'
SERIAL = 'serial'


@dataclasses.dataclass(frozen=True)
class Step:
    """One action of the upgrade of a service.

    :param host: the host acted on, or ``'*'`` for all hosts at once.
    :param action: one of the action constants of this module.
    :param detail: what exactly is done, for humans.
    :param servers: ``backend/server`` names touched in HAProxy.
    :param loadbalancers: the HAProxy hosts where the servers are changed;
        for hold-vip and release-vip, the peers whose keepalived stops.
    :param window: the longest time the step may take, in seconds.
    :param container: the container the step starts or recreates.
    :param image: the image it runs.
    :param targets: for wait-ready, the ``(port, path)`` pairs the
        readiness probe requests on the host's API address.
    :param ports: for add-next-server, the port of each of ``servers``;
        for start-next, the ports the new container listens on.
    :param variables: for start-next, the ``(name, value)`` pairs of
        kolla variables that move the new container to other ports; for
        recreate, the kolla variables the batch sets (the graceful stop
        timeout); for bridge, the kernel settings it makes.
    :param role_containers: for recreate, the ``(service, container)``
        pairs of every container of the role on the host, which kolla's
        role may recreate and a roll-back puts back.
    :param tasks_from: for recreate, the task file of kolla's role that
        acts, when not the role's own ``main``.
    """

    host: str
    action: str
    detail: str
    servers: typing.Tuple[str, ...] = ()
    loadbalancers: typing.Tuple[str, ...] = ()
    window: typing.Optional[float] = None
    container: str = ''
    image: str = ''
    targets: typing.Tuple[typing.Tuple[int, str], ...] = ()
    ports: typing.Tuple[int, ...] = ()
    variables: typing.Tuple[typing.Tuple[str, typing.Any], ...] = ()
    role_containers: typing.Tuple[typing.Tuple[str, str], ...] = ()
    tasks_from: str = ''


@dataclasses.dataclass(frozen=True)
class Batch:
    """Steps that one play carries out on a set of hosts.

    The hosts of a batch are upgraded together: a rolling or parallel
    batch has one host, a buffered batch has every host of the service.

    :param mechanism: the mechanism whose tasks carry the steps out
        (rolling, parallel, buffer or parallel+buffer).
    """

    hosts: typing.Tuple[str, ...]
    mechanism: str
    steps: typing.Tuple[Step, ...]


@dataclasses.dataclass(frozen=True)
class Member:
    """An HAProxy-fronted service that a service plan upgrades.

    :param hosts: the hosts HAProxy sends its traffic to.
    :param image_var: the variable that sets its image, for messages.
    """

    service: str
    container: str
    group: str
    hosts: typing.Tuple[str, ...]
    image: typing.Optional[str]
    image_var: str = ''


@dataclasses.dataclass(frozen=True)
class ServicePlan:
    """The strategy chosen for one service, why, and its steps.

    :param strategy: the strategy configured for the service.
    :param chosen: the mechanism that acts: what the strategy picked (auto
        picks rolling, parallel, buffer or parallel+buffer), or the
        strategy itself when None is given.
    :param batches: the steps, grouped by the hosts acted on together;
        no batch means that kolla-ansible's own upgrade handles the
        service.
    :param notes: steps shown but not carried out, such as a skip.
    :param group: the inventory group the service runs on.
    :param services_var: kolla's ``<project>_services`` variable, which
        defines the container.
    :param image_var: the variable that sets the image, for messages.
    :param members: every fronted service of the kolla role that the
        batches upgrade together, the named one first.
    :param groups: the inventory groups on which the batches upgrade the
        role: the members' and those of the role's other containers that
        run only on the batches' hosts.
    """

    service: str
    project: str
    container: str
    strategy: str
    reason: str
    batches: typing.Tuple[Batch, ...] = ()
    chosen: typing.Optional[str] = None
    notes: typing.Tuple[Step, ...] = ()
    group: str = ''
    hosts: typing.Tuple[str, ...] = ()
    image: str = ''
    image_var: str = ''
    services_var: str = ''
    members: typing.Tuple[Member, ...] = ()
    groups: typing.Tuple[str, ...] = ()

    def __post_init__(self):
        if self.chosen is None:
            object.__setattr__(self, 'chosen', self.strategy)
        if not self.members:
            object.__setattr__(self, 'members', (Member(
                service=self.service, container=self.container,
                group=self.group, hosts=self.hosts, image=self.image,
                image_var=self.image_var),))
        if not self.groups:
            object.__setattr__(self, 'groups', (self.group,))

    @property
    def siblings(self):
        """Return the members other than the named service."""
        return self.members[1:]

    @property
    def steps(self):
        """Return every step, batch after batch, as the run takes them."""
        return self.notes + tuple(step for batch in self.batches
                                  for step in batch.steps)

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
class LoadBalancerPlan:
    """The upgrade of kolla's loadbalancer role, one host per batch.

    :param containers: the ``(service, container, image)`` of the role.
    :param addresses: the VIPs keepalived holds.
    :param service_configs: the service roles whose HAProxy configuration
        the recreate renders, as kolla's loadbalancer play does.
    """

    hosts: typing.Tuple[str, ...]
    containers: typing.Tuple[typing.Tuple[str, str, str], ...]
    addresses: typing.Tuple[str, ...]
    batches: typing.Tuple[Batch, ...]
    reason: str
    notes: typing.Tuple[str, ...] = ()
    service_configs: typing.Tuple[str, ...] = ()

    def container(self, service, default=''):
        """Return the container name of ``service``, or ``default``."""
        return model.container_of(self.containers, service, default)

    @property
    def steps(self):
        """Return every step, batch after batch."""
        return tuple(step for batch in self.batches for step in batch.steps)


@dataclasses.dataclass(frozen=True)
class SerialRolePlan:
    """A kolla role applied one host at a time, before the services.

    :param role: the kolla role, which is also the inventory group.
    :param containers: the ``(service, container, image)`` of the role.
    :param addresses: ``(host, address)`` where each host listens.
    """

    role: str
    group: str
    hosts: typing.Tuple[str, ...]
    containers: typing.Tuple[typing.Tuple[str, str, str], ...]
    batches: typing.Tuple[Batch, ...]
    reason: str
    addresses: typing.Tuple[typing.Tuple[str, str], ...] = ()

    def address_of(self, host):
        """Return the address ``host`` listens on."""
        return dict(self.addresses).get(host, host)

    @property
    def project(self):
        """The role, as the site pass names what a play applies."""
        return self.role

    @property
    def groups(self):
        """The inventory groups the batches upgrade the role on."""
        return (self.group,)

    @property
    def steps(self):
        """Return every step, batch after batch."""
        return tuple(step for batch in self.batches for step in batch.steps)


@dataclasses.dataclass(frozen=True)
class SitePlayChange:
    """What the site pass does with one play of a site playbook.

    :param decision: one of the ``SITE_*`` constants: leave the play out,
        narrow it to the hosts the zero-downtime plays did not upgrade,
        roll it (its restarts, one drained host at a time, then the play
        on the other hosts) or run it first (a database play, before the
        batches of ``service``).
    :param excluded: the hosts a narrowed or rolled play no longer runs on.
    :param service: the service plan whose servers a rolled play drains,
        or whose batches a play run first precedes.
    :param batches: the rolled play's batches.
    """

    playbook: str
    index: int
    name: str
    decision: str
    reason: str
    excluded: typing.Tuple[str, ...] = ()
    service: str = ''
    batches: typing.Tuple[Batch, ...] = ()


@dataclasses.dataclass(frozen=True)
class SitePassPlan:
    """The site playbooks the run imports after its plays, and changes.

    :param playbooks: the site playbooks a plain upgrade would run.
    :param changes: the plays the site pass changes, in playbook order;
        every other play runs as written.
    :param whole: playbooks imported whole, being YAML only Ansible reads.
    :param as_written: the roles the plays left unchanged apply, in
        playbook order, on the hosts those plays select: with
        ``changes``, what the site pass does with every role.
    """

    playbooks: typing.Tuple[str, ...] = ()
    changes: typing.Tuple[SitePlayChange, ...] = ()
    whole: typing.Tuple[str, ...] = ()
    as_written: typing.Tuple[str, ...] = ()

    def change_of(self, playbook, index):
        """Return the change of play ``index`` of ``playbook``, or None."""
        for change in self.changes:
            if (change.playbook, change.index) == (playbook, index):
                return change
        return None

    def run_first(self, service):
        """Return the plays run before the batches of ``service``."""
        return [change for change in self.changes
                if change.decision == SITE_FIRST
                and change.service == service]


@dataclasses.dataclass(frozen=True)
class UpgradePlan:
    """The plan of a whole zero-downtime upgrade.

    :param bounds: the :class:`~kolla_zdu_plugin.planning.bounds.Bounds`
        the run applies.
    :param loadbalancer: the loadbalancer role's own upgrade, run before
        the services', or None when kolla's handlers do it.
    :param serial_roles: the roles applied one host at a time after the
        loadbalancer and before the services.
    :param site_pass: the :class:`SitePassPlan` run after the services.
    """

    services: typing.Tuple[ServicePlan, ...]
    loadbalancers: typing.Tuple[str, ...]
    notes: typing.Tuple[str, ...] = ()
    bounds: typing.Optional[typing.Any] = None
    loadbalancer: typing.Optional[LoadBalancerPlan] = None
    serial_roles: typing.Tuple[SerialRolePlan, ...] = ()
    site_pass: SitePassPlan = SitePassPlan()

    def to_dict(self):
        """Return the plan as plain data for JSON, bounds included."""
        data = dataclasses.asdict(self)
        if self.bounds is not None:
            data['bounds']['hold_lease'] = self.bounds.hold_lease
        return data
