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
"""What the service map knows about HAProxy-fronted kolla services."""

import dataclasses
import typing


@dataclasses.dataclass(frozen=True)
class Server:
    """One ``server`` line of an HAProxy backend: a host's container.

    ``address_source`` says where ``address`` came from, since an offline
    plan cannot read interface facts: ``api_interface_address`` when the
    variable resolved, otherwise ``ansible_host`` or ``inventory_hostname``.
    """

    host: str
    name: str
    address: str
    port: typing.Any
    address_source: str = 'api_interface_address'
    backup: bool = False


@dataclasses.dataclass(frozen=True)
class Backend:
    """An HAProxy frontend/backend pair of a kolla service."""

    name: str
    mode: str
    external: bool
    port: typing.Any
    listen_port: typing.Any
    health_check: str
    http_check: typing.Optional[str]
    servers: typing.Tuple[Server, ...]
    with_frontend: bool = True
    custom_member_list: bool = False
    active_passive: bool = False

    @property
    def backend_name(self):
        """The HAProxy backend section name, ``<name>_back``."""
        return '%s_back' % self.name

    def health_path(self, default):
        """Return the path of ``option httpchk``, or ``default``.

        ``option httpchk GET /healthcheck`` gives ``/healthcheck``; a line
        without a path (or no line) gives ``default``.
        """
        words = (self.http_check or '').split()
        for word in words[2:]:
            if word.startswith('/'):
                return word
        return default

    @property
    def frontend_name(self):
        """The HAProxy frontend section name, or None without frontend."""
        return '%s_front' % self.name if self.with_frontend else None


@dataclasses.dataclass(frozen=True)
class DatabaseStep:
    """A database migration that a role's handlers run during upgrade."""

    handler: str
    phase: str
    host: str


@dataclasses.dataclass(frozen=True)
class Container:
    """A container of a kolla role, and the hosts it runs on.

    :param service: its key in the role's ``<project>_services``, which
        also names its configuration directory.
    :param group: the inventory group it runs on.
    """

    service: str
    name: str
    hosts: typing.Tuple[str, ...]
    group: str = ''


@dataclasses.dataclass(frozen=True)
class Service:
    """An enabled, HAProxy-fronted service of a kolla-ansible role."""

    project: str
    name: str
    container_name: str
    group: str
    hosts: typing.Tuple[str, ...]
    image: str
    backends: typing.Tuple[Backend, ...]
    loadbalancers: typing.Tuple[str, ...]
    database_steps: typing.Tuple[DatabaseStep, ...] = ()
    image_var: typing.Optional[str] = None
    port_vars: typing.Tuple[str, ...] = ()
    services_var: typing.Optional[str] = None
    #: Every enabled container of the role, which an upgrade of the role
    #: on a host may recreate, this service's own included.
    role_containers: typing.Tuple[Container, ...] = ()
    #: The role's other HAProxy-fronted services, which its batches drain,
    #: recreate and gate on readiness with this one (see
    #: :func:`kolla_zdu_plugin.planning.role_units.merge`).
    siblings: typing.Tuple['Service', ...] = ()

    @property
    def members(self):
        """Return this service and its siblings, this one first."""
        return (self,) + self.siblings

    @property
    def names(self):
        """Return the names of :attr:`members`."""
        return tuple(member.name for member in self.members)

    @property
    def groups(self):
        """Return the inventory groups the batches upgrade, in order.

        The groups of the members, and of every other container of the
        role that runs only on hosts the batches upgrade: applying the
        role to those hosts upgrades it there too.
        """
        found = []
        for group in [member.group for member in self.members] + [
                c.group for c in self.role_containers
                if c.group and set(c.hosts) <= set(self.hosts)]:
            if group not in found:
                found.append(group)
        return tuple(found)

    def containers_on(self, host):
        """Return the role's containers on ``host``, this one's first."""
        found = [c for c in self.role_containers if host in c.hosts]
        found.sort(key=lambda c: c.name != self.container_name)
        return found

    def servers_of(self, host):
        """Return ``(backend, server)`` pairs of ``host`` in every backend."""
        return [(backend, server)
                for backend in self.backends
                for server in backend.servers
                if server.host == host]


def container_of(containers, service, default=''):
    """Return the container of ``service``, or ``default``.

    :param containers: ``(service, container, image)`` entries.
    """
    for entry in containers:
        if entry[0] == service:
            return entry[1]
    return default


@dataclasses.dataclass(frozen=True)
class LoadBalancer:
    """kolla's loadbalancer role: its hosts, containers and VIPs.

    :param containers: the ``(service, container, image)`` of each enabled
        container of the role (haproxy, keepalived, proxysql).
    :param addresses: the VIPs keepalived holds.
    :param service_configs: the roles whose ``loadbalancer`` tasks (their
        HAProxy configuration) kolla's loadbalancer play includes.
    """

    hosts: typing.Tuple[str, ...]
    containers: typing.Tuple[typing.Tuple[str, str, str], ...] = ()
    addresses: typing.Tuple[str, ...] = ()
    service_configs: typing.Tuple[str, ...] = ()

    def container(self, service, default=''):
        """Return the container name of ``service``, or ``default``."""
        return container_of(self.containers, service, default)


@dataclasses.dataclass(frozen=True)
class SerialRole:
    """A kolla role with no HAProxy frontend, whose clients use every host.

    Clients (memcached's, for example) spread their use over every host of
    the role, so the role can go one host at a time, each host gated on
    its port.

    :param containers: the ``(service, container, image)`` of each enabled
        container of the role.
    :param addresses: ``(host, address)`` where each host listens.
    """

    role: str
    group: str
    hosts: typing.Tuple[str, ...]
    containers: typing.Tuple[typing.Tuple[str, str, str], ...]
    port: int
    addresses: typing.Tuple[typing.Tuple[str, str], ...] = ()

    @property
    def project(self):
        """The role, as the site pass names what a play applies."""
        return self.role

    def address_of(self, host):
        """Return the address ``host`` listens on."""
        return dict(self.addresses).get(host, host)


@dataclasses.dataclass(frozen=True)
class Restart:
    """A task of kolla's roles that restarts containers whenever it runs.

    Handlers restart a container when its configuration or image changed;
    such a task (cinder's ``reload.yml``, nova's ``reload_api.yml``)
    restarts it every time, on every host of its play at once.

    :param path: its task file, relative to the role.
    :param services: the keys of the role's ``<project>_services`` whose
        containers it restarts; empty when it loops over all of them.
    """

    role: str
    path: str
    task: str
    services: typing.Tuple[str, ...] = ()

    def restarts(self, service):
        """Return whether the task restarts the container of ``service``."""
        return not self.services or service in self.services


@dataclasses.dataclass(frozen=True)
class SitePlay:
    """A play of a site playbook, as the site pass sees it.

    :param index: its position in the playbook.
    :param roles: the roles it applies with ``roles:``.
    :param only_roles: whether it applies roles and runs nothing else.
    :param tasks_from: ``(role, tasks file)`` its own tasks include.
    :param restarts: the :class:`Restart` tasks it reaches.
    :param imports: the playbook it imports, for an ``import_playbook``.
    :param raw: the play as written.
    """

    index: int
    name: str
    hosts: typing.Tuple[str, ...] = ()
    roles: typing.Tuple[str, ...] = ()
    only_roles: bool = False
    tasks_from: typing.Tuple[typing.Tuple[str, str], ...] = ()
    restarts: typing.Tuple[Restart, ...] = ()
    imports: typing.Optional[str] = None
    raw: typing.Any = dataclasses.field(default=None, compare=False,
                                        repr=False)

    @property
    def applied_roles(self):
        """The roles the play applies, in order.

        Those it lists, or else those its own tasks include (kolla's
        rabbitmq and mariadb plays). The loadbalancer play lists its role
        and only includes the other roles' loadbalancer tasks, so it
        applies the loadbalancer role alone.
        """
        if self.roles:
            return self.roles
        return tuple(dict.fromkeys(role for role, _ in self.tasks_from))


@dataclasses.dataclass(frozen=True)
class SitePlaybook:
    """A site playbook a plain upgrade would run, or one it imports.

    :param readable: False when it is YAML only Ansible reads (``!vault``
        or ``!unsafe`` tags), which the site pass imports whole.
    :param top: whether the run imports it (the operator's playbook or
        kolla's site.yml), rather than another playbook importing it.
    """

    path: str
    plays: typing.Tuple[SitePlay, ...] = ()
    readable: bool = True
    top: bool = False


@dataclasses.dataclass(frozen=True)
class ServiceMap:
    """Every enabled HAProxy-fronted service of a deployment.

    :param serial_roles: the roles without a frontend that can go one host
        at a time (see :class:`SerialRole`).
    :param site_playbooks: the site playbooks a plain upgrade would run and
        the playbooks they import (see :class:`SitePlaybook`).
    """

    services: typing.Tuple[Service, ...]
    loadbalancers: typing.Tuple[str, ...]
    notes: typing.Tuple[str, ...] = ()
    loadbalancer: typing.Optional[LoadBalancer] = None
    serial_roles: typing.Tuple[SerialRole, ...] = ()
    site_playbooks: typing.Tuple[SitePlaybook, ...] = ()

    def by_name(self):
        """Return the services keyed by service name."""
        return {service.name: service for service in self.services}
