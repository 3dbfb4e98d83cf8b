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
"""Build the service map of a deployment from kolla-ansible's own roles."""

import logging
import os
import re

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.servicemap import database_steps
from kolla_zdu_plugin.servicemap import kolla_tree
from kolla_zdu_plugin.servicemap import model
from kolla_zdu_plugin.servicemap import variables

LOG = logging.getLogger(__name__)

UNRESOLVED = '<unresolved>'
_SINGLE_VARIABLE = re.compile(r'^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$')


def variable_name(raw):
    """Return ``name`` when ``raw`` is exactly ``"{{ name }}"``, else None."""
    match = _SINGLE_VARIABLE.match(raw.strip()) if isinstance(raw, str) \
        else None
    return match.group(1) if match else None


def _port_vars(entries):
    names = []
    for entry in entries:
        name = variable_name(entry.get('listen_port', entry.get('port')))
        if name and name not in names:
            names.append(name)
    return tuple(names)


class _HostVars(dict):
    """``hostvars`` for templates: each host's variables, built on demand."""

    def __init__(self, builder):
        super().__init__()
        self._builder = builder

    def __contains__(self, host):
        return host in self._builder.deployment.hosts()

    def __missing__(self, host):
        scope = variables.Scope(self._builder.resolver_for(host))
        self[host] = scope
        return scope


def _hosts_with_servers(backends, group_hosts):
    """Return the group's hosts that HAProxy sends traffic to, in order.

    A backend may list fewer hosts than the service's group (glance with a
    file store serves from its first host only); only those are upgraded
    behind HAProxy.
    """
    in_backends = {server.host for backend in backends
                   for server in backend.servers}
    return tuple(host for host in group_hosts if host in in_backends)


def _offline_facts(host_vars):
    """Facts an offline plan can know: the short host name only."""
    return {'hostname': host_vars.get('inventory_hostname_short')}


class ServiceMapBuilder(object):
    """Compute the :class:`~.model.ServiceMap` of a deployment.

    :param deployment: a :class:`~.deployment.Deployment`.
    :param kolla_dir: kolla-ansible's ``ansible`` directory; the installed
        one by default.
    :param extra_role_dirs: more role directories, searched before
        kolla-ansible's (the ``roles`` directory of a custom playbook).
    :param loadbalancer_group: the inventory group running HAProxy.
    :param playbook_dirs: directories of custom playbooks, whose
        ``group_vars/all`` Ansible applies to their plays.
    """

    def __init__(self, deployment, kolla_dir=None, extra_role_dirs=(),
                 loadbalancer_group='loadbalancer', playbook_dirs=()):
        self.deployment = deployment
        self.kolla_dir = kolla_dir or kolla_tree.kolla_ansible_dir()
        self.tree = kolla_tree.RoleTree(
            list(extra_role_dirs) + [os.path.join(self.kolla_dir, 'roles')])
        self.loadbalancer_group = loadbalancer_group
        self._role_defaults = self.tree.defaults()
        defaults_layer = {}
        for role in sorted(self._role_defaults):
            defaults_layer.update(self._role_defaults[role])
        self._base_layers = [defaults_layer] + [
            kolla_tree.load_vars_dir(os.path.join(path, 'group_vars', 'all'))
            for path in [self.kolla_dir] + list(playbook_dirs)]
        self._resolvers = {}
        self._hostvars = _HostVars(self)
        self.notes = []

    def resolver_for(self, host):
        """Return the variable resolver of ``host``."""
        if host not in self._resolvers:
            host_vars = self.deployment.host_vars(host)
            magic = {'hostvars': self._hostvars,
                     'ansible_facts': _offline_facts(host_vars)}
            self._resolvers[host] = variables.VariableResolver(
                self._base_layers + [host_vars, self.deployment.globals],
                constants=magic)
        return self._resolvers[host]

    def build(self):
        """Return the service map of every enabled HAProxy-fronted service."""
        services = []
        for role, services_var, services_dict in kolla_tree.services_dicts(
                self._role_defaults):
            for name, raw in services_dict.items():
                if 'haproxy' not in raw:
                    continue
                service = self._service(role, services_var, name, raw)
                if service is not None:
                    services.append(service)
        loadbalancers = tuple(
            self.deployment.groups.get(self.loadbalancer_group, ()))
        return model.ServiceMap(services=tuple(services),
                                loadbalancers=loadbalancers,
                                notes=tuple(self.notes))

    def _render(self, resolver, value, default=UNRESOLVED):
        try:
            return resolver.render(value)
        except variables.Unresolved as exc:
            LOG.debug("unresolved value %r: %s", value, exc)
            return default

    def _flag(self, resolver, value, default=False):
        return variables.to_bool(self._render(resolver, value, default))

    def _service(self, role, services_var, name, raw):
        groups = self.deployment.groups
        group = raw.get('group') or raw.get('host_group')
        hosts = tuple(groups.get(group, ()))
        if not hosts:
            return None
        resolver = self.resolver_for(hosts[0])
        if not self._flag(resolver, raw.get('enabled', False)):
            return None
        # kolla's site.yml applies a role only to hosts in the
        # enable_<project>_True group; a services dict entry may say
        # "enabled: true" whatever that flag is.
        if not self._flag(resolver, '{{ enable_%s }}' % role.replace('-', '_'),
                          True):
            return None
        if not self._flag(resolver, '{{ enable_haproxy }}'):
            return None
        backends = tuple(
            backend for backend in (
                self._backend(resolver, group, key, entry)
                for key, entry in (raw.get('haproxy') or {}).items())
            if backend is not None)
        if not backends:
            return None
        served = _hosts_with_servers(backends, hosts)
        return model.Service(
            project=role,
            name=name,
            container_name=self._render(resolver,
                                        raw.get('container_name', name)),
            group=group,
            hosts=served,
            image=self._render(resolver, raw.get('image', UNRESOLVED)),
            backends=backends,
            loadbalancers=tuple(groups.get(self.loadbalancer_group, ())),
            database_steps=database_steps.find(
                self.tree.handlers_text(role), name, served),
            image_var=variable_name(raw.get('image')),
            services_var=services_var,
            port_vars=_port_vars(
                entry for key, entry in (raw.get('haproxy') or {}).items()
                if key in {backend.name for backend in backends}))

    def _backend_enabled(self, resolver, entry, external, mode):
        if not self._flag(resolver, entry.get('enabled', False)):
            return False
        if mode == 'redirect':
            return False
        if not self._flag(resolver, entry.get('with_backend', True), True):
            return False
        return (not external
                or self._flag(resolver, '{{ haproxy_enable_external_vip }}')
                or self._flag(resolver,
                              '{{ haproxy_single_external_frontend }}'))

    def _backend(self, resolver, group, key, entry):
        external = self._flag(resolver, entry.get('external', False))
        mode = self._render(resolver, entry.get('mode', 'http'))
        if not self._backend_enabled(resolver, entry, external, mode):
            return None
        port = self._render(resolver, entry.get('port'))
        listen_port = self._render(resolver, entry.get('listen_port', port))
        if UNRESOLVED in (port, listen_port):
            raise exceptions.InventoryError(
                reason='the port of HAProxy entry %s (%r) cannot be '
                       'evaluated; define the variables it uses in '
                       'globals.yml' % (key, entry.get('listen_port',
                                                       entry.get('port'))))
        tls = self._flag(resolver, entry.get('tls_backend', False))
        check_var = ('haproxy_health_check_ssl' if tls
                     else 'haproxy_health_check')
        extra = self._backend_extra(resolver, entry, mode)
        custom = entry.get('custom_member_list')
        active_passive = self._flag(resolver,
                                    entry.get('active_passive', False))
        if custom is not None:
            servers = self._custom_servers(resolver, custom)
        else:
            host_group = self._render(resolver,
                                      entry.get('host_group', group))
            servers = self._servers(host_group, listen_port, active_passive)
        return model.Backend(
            name=key,
            mode=mode,
            external=external,
            port=port,
            listen_port=listen_port,
            health_check=self._render(resolver, '{{ %s }}' % check_var),
            http_check=next((line for line in extra
                             if line.startswith('option httpchk')), None),
            servers=servers,
            with_frontend=self._flag(resolver,
                                     entry.get('with_frontend', True), True),
            custom_member_list=custom is not None,
            active_passive=active_passive)

    def _backend_extra(self, resolver, entry, mode):
        key = 'backend_http_extra' if mode == 'http' else 'backend_tcp_extra'
        lines = []
        for line in entry.get(key) or ():
            rendered = self._render(resolver, line, None)
            if isinstance(rendered, str):
                lines.append(rendered)
        return lines

    def _servers(self, host_group, listen_port, active_passive):
        servers = []
        for index, host in enumerate(self.deployment.groups.get(host_group,
                                                                ())):
            address, source = self._address(host)
            servers.append(model.Server(
                host=host,
                name=host.split('.')[0],
                address=address,
                port=listen_port,
                address_source=source,
                backup=active_passive and index > 0))
        return tuple(servers)

    def _address(self, host):
        resolver = self.resolver_for(host)
        address = str(self._render(resolver, '{{ api_interface_address }}',
                                   host))
        operator_vars = [self.deployment.host_vars(host),
                         self.deployment.globals]
        if any('api_interface_address' in layer for layer in operator_vars):
            return address, 'api_interface_address'
        if resolver.has('ansible_host'):
            return address, 'ansible_host'
        return address, 'inventory_hostname'

    def _host_named(self, server_name):
        for host in self.deployment.hosts():
            if host.split('.')[0] == server_name:
                return host
        return server_name

    def _custom_servers(self, resolver, custom):
        members = self._render(resolver, custom, [])
        if isinstance(members, str):
            members = members.split(';')
        servers = []
        for line in members or ():
            fields = str(line).split()
            if len(fields) >= 3 and fields[0] == 'server':
                address, _, port = fields[2].rpartition(':')
                servers.append(model.Server(
                    host=self._host_named(fields[1]), name=fields[1],
                    address=address,
                    port=port, address_source='custom_member_list',
                    backup='backup' in fields))
        return tuple(servers)
