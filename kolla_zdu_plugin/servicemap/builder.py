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
from kolla_zdu_plugin.servicemap import site_playbook
from kolla_zdu_plugin.servicemap import site_restarts
from kolla_zdu_plugin.servicemap import variables

LOG = logging.getLogger(__name__)

# The role of kolla-ansible that renders every service's HAProxy entries.
LOADBALANCER_ROLE = 'loadbalancer'
LOADBALANCER_SERVICES = ('haproxy', 'keepalived', 'proxysql')
HAPROXY_CONFIG_ROLE = 'haproxy-config'
# The roles without an HAProxy frontend that can go one host at a time:
# their services variable and the port their clients connect to.
SERIAL_ROLES = {'memcached': ('memcached_services', 'memcached_port')}
# The stand-in address of a host whose address only the live host knows
# (no api_interface_address or ansible_host in the inventory): kolla's
# filters need an address, and servers show the host's name instead.
UNKNOWN_ADDRESS = '0.0.0.0'  # nosec: never bound or contacted
# What _render returns for a value only a live host knows; it never
# reaches the model.
_UNRESOLVED = object()
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


def _number(port):
    """Return a port as an int, as HAProxy reads it, when it is one."""
    text = str(port).strip()
    return int(text) if text.isdigit() else port


def _hosts_with_servers(backends, group_hosts):
    """Return the group's hosts that HAProxy sends traffic to, in order.

    A backend may list fewer hosts than the service's group (glance with a
    file store serves from its first host only); only those are upgraded
    behind HAProxy.
    """
    in_backends = {server.host for backend in backends
                   for server in backend.servers}
    return tuple(host for host in group_hosts if host in in_backends)


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
                 loadbalancer_group='loadbalancer', playbook_dirs=(),
                 site_playbooks=()):
        self.deployment = deployment
        self.kolla_dir = kolla_dir or kolla_tree.kolla_ansible_dir()
        self.site_playbooks = list(site_playbooks) or [
            os.path.join(self.kolla_dir, 'site.yml')]
        self.tree = kolla_tree.RoleTree(
            list(extra_role_dirs) + [os.path.join(self.kolla_dir, 'roles')])
        self.loadbalancer_group = loadbalancer_group
        self._role_paths = self.tree.roles()
        self._role_defaults = self.tree.defaults()
        # Ansible applies the group_vars and host_vars beside the playbook
        # that runs: the operator's -p playbook, or kolla's site.yml.
        playbook_dir = (list(playbook_dirs) or [self.kolla_dir])[0]
        self.variables = variables.DeploymentVariables(
            deployment.inventories, deployment.globals, playbook_dir,
            filter_dirs=[os.path.join(d, 'filter_plugins') for d in
                         list(playbook_dirs) + [self.kolla_dir]])
        self._scopes = {}
        self.notes = []
        for host in deployment.hosts():
            self.variables.set_facts(host, self._stand_in_facts(host))

    def _stand_in_facts(self, host):
        """Return the facts a plan assumes for ``host`` until it is live.

        Its short name, and for its API interface the operator's
        ``api_interface_address``, else ``ansible_host``, else its name;
        servers record which of them their address came from.
        """
        scope = self.variables.scope(host)
        host_vars = self.deployment.host_vars(host)
        address = host_vars.get('ansible_host', UNKNOWN_ADDRESS)
        facts = {'hostname': host.split('.')[0]}
        try:
            interface = str(scope.render('{{ api_interface }}'))
            family = str(scope.render('{{ api_address_family }}'))
        except variables.Unresolved:
            return facts
        key = interface.replace('-', '_')
        if family == 'ipv6':
            facts[key] = {'ipv6': [{'address': address, 'scope': 'global'}]}
        else:
            facts[key] = {'ipv4': {'address': address}}
        return facts

    def _defaults(self, role):
        if role not in self._role_paths:
            return {}
        return self.variables.load_defaults(os.path.join(
            self._role_paths[role], 'defaults', 'main.yml'))

    def resolver_for(self, host, role=None):
        """Return the variables of ``host``, inside ``role`` if given.

        A service role's HAProxy entries are rendered by kolla's
        ``haproxy-config`` role, which the service role includes; its
        defaults are in scope too.
        """
        key = (host, role)
        if key not in self._scopes:
            roles = [role, HAPROXY_CONFIG_ROLE] if role else []
            self._scopes[key] = self.variables.scope(
                host, [self._defaults(name) for name in roles])
        return self._scopes[key]

    def build(self):
        """Return the service map of every enabled HAProxy-fronted service.

        The services are those of every role's ``<project>_services``, as
        Ansible evaluates the variable for the first host of the service's
        group: an operator's own definition of it in globals.yml wins.
        """
        services = []
        for role, services_var, defaults_dict in kolla_tree.services_dicts(
                self._role_defaults):
            for name in defaults_dict:
                service = self._service(role, services_var, name)
                if service is not None:
                    services.append(service)
        loadbalancers = tuple(
            self.deployment.groups.get(self.loadbalancer_group, ()))
        return model.ServiceMap(services=tuple(services),
                                loadbalancers=loadbalancers,
                                notes=tuple(self.notes),
                                loadbalancer=self._loadbalancer(
                                    loadbalancers),
                                serial_roles=self._serial_roles(),
                                site_playbooks=self._site_playbooks())

    def _site_playbooks(self):
        """Return the site playbooks and the playbooks they import."""
        reader = site_restarts.SiteReader(self._role_paths)
        found = []
        for path in self.site_playbooks:
            for playbook in reader.read(os.path.abspath(path)):
                if playbook.path not in [p.path for p in found]:
                    found.append(playbook)
        return tuple(found)

    def _serial_roles(self):
        """Return every enabled role of ``SERIAL_ROLES``, as kolla has it."""
        found = []
        for role, (services_var, port_var) in sorted(SERIAL_ROLES.items()):
            if role not in self._role_paths:
                continue
            hosts = tuple(self.deployment.groups.get(role, ()))
            if not hosts:
                continue
            resolver = self.resolver_for(hosts[0], role)
            if not self._flag(resolver, '{{ enable_%s }}' % role):
                continue
            try:
                services = resolver.raw(services_var)
            except KeyError:
                continue
            containers = []
            for name, raw in sorted(services.items()):
                if isinstance(raw, dict) and self._flag(
                        resolver, raw.get('enabled', False)):
                    containers.append((name, str(self._render(
                        resolver, raw.get('container_name'), name)), str(
                        self._render(resolver, raw.get('image'), ''))))
            port = _number(self._render(resolver, '{{ %s }}' % port_var,
                                        None))
            if not containers or port is None:
                continue
            found.append(model.SerialRole(
                role=role, group=role, hosts=hosts,
                containers=tuple(containers), port=port,
                addresses=tuple((host, self._address(host)[0])
                                for host in hosts)))
        return tuple(found)

    def _loadbalancer(self, hosts):
        """Return kolla's loadbalancer role as its first host sees it."""
        if not hosts or LOADBALANCER_ROLE not in self._role_paths:
            return None
        resolver = self.resolver_for(hosts[0], LOADBALANCER_ROLE)
        if not self._flag(resolver, '{{ enable_loadbalancer }}', False):
            return None
        try:
            services = resolver.raw('loadbalancer_services')
        except KeyError:
            services = {}
        containers = []
        for name in LOADBALANCER_SERVICES:
            raw = services.get(name) if isinstance(services, dict) else None
            if not isinstance(raw, dict) \
                    or not self._flag(resolver, raw.get('enabled')):
                continue
            containers.append((name, str(self._render(
                resolver, raw.get('container_name'), name)), str(
                self._render(resolver, raw.get('image'), ''))))
        addresses = []
        wanted = ['kolla_internal_vip_address']
        if self._flag(resolver, '{{ haproxy_enable_external_vip }}'):
            wanted.append('kolla_external_vip_address')
        for var in wanted:
            address = self._render(resolver, '{{ %s }}' % var, '')
            if address and address is not _UNRESOLVED \
                    and str(address) not in addresses:
                addresses.append(str(address))
        return model.LoadBalancer(
            hosts=tuple(hosts), containers=tuple(containers),
            addresses=tuple(addresses),
            service_configs=self._service_configs(resolver))

    def _service_configs(self, resolver):
        """Return the roles whose HAProxy config kolla's play renders.

        kolla's ``Apply role loadbalancer`` play includes, after the role,
        each enabled service role's ``loadbalancer`` tasks; the plays are
        read from the site playbooks and each task's ``when`` evaluated as
        the loadbalancer's first host sees it.
        """
        roles = []
        for path in self.site_playbooks:
            for task in site_playbook.loadbalancer_tasks(path):
                role = task['role']
                if role not in roles and all(
                        self._flag(resolver, '{{ %s }}' % condition)
                        for condition in task['when']):
                    roles.append(role)
        return tuple(roles)

    def _render(self, resolver, value, default=_UNRESOLVED):
        try:
            return resolver.render(value)
        except variables.Unresolved as exc:
            LOG.debug("unresolved value %r: %s", value, exc)
            return default

    def _flag(self, resolver, value, default=False):
        return variables.to_bool(self._render(resolver, value, default))

    def _raw_service(self, resolver, services_var, name):
        try:
            services = resolver.raw(services_var)
        except KeyError:
            return None
        raw = services.get(name) if isinstance(services, dict) else None
        return raw if isinstance(raw, dict) and 'haproxy' in raw else None

    def _service(self, role, services_var, name):
        groups = self.deployment.groups
        defaults = self._role_defaults[role][services_var][name]
        group = defaults.get('group') or defaults.get('host_group')
        hosts = tuple(groups.get(group, ()))
        if not hosts:
            return None
        resolver = self.resolver_for(hosts[0], role)
        raw = self._raw_service(resolver, services_var, name)
        if raw is None:
            return None
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
        image = self._render(resolver, raw.get('image', ''), None)
        if not isinstance(image, str) or not image:
            self.notes.append('the image of service %s needs a live host '
                              'to be known (%r); the pre-flight check does '
                              'not pull it' % (name, raw.get('image')))
            image = None
        return model.Service(
            project=role,
            name=name,
            container_name=self._render(resolver,
                                        raw.get('container_name', name),
                                        name),
            group=group,
            hosts=served,
            image=image,
            backends=backends,
            loadbalancers=tuple(groups.get(self.loadbalancer_group, ())),
            database_steps=database_steps.find(
                self.tree.handlers_text(role), name, served),
            image_var=variable_name(raw.get('image')),
            services_var=services_var,
            role_containers=self._role_containers(role, services_var,
                                                  resolver),
            port_vars=_port_vars(
                entry for key, entry in (raw.get('haproxy') or {}).items()
                if key in {backend.name for backend in backends}))

    def _role_containers(self, role, services_var, resolver):
        """Return every enabled container of the role and its hosts."""
        try:
            services = resolver.raw(services_var)
        except KeyError:
            return ()
        containers = []
        for key, raw in sorted(services.items()):
            if not isinstance(raw, dict):
                continue
            group = raw.get('group') or raw.get('host_group')
            hosts = tuple(self.deployment.groups.get(
                self._render(resolver, group, group) or '', ()))
            if not hosts or not self._flag(resolver,
                                           raw.get('enabled', False)):
                continue
            name = self._render(resolver, raw.get('container_name', key),
                                None)
            if isinstance(name, str) and name:
                containers.append(model.Container(
                    service=variables.plain(key), name=name, hosts=hosts,
                    group=str(self._render(resolver, group, group))))
        return tuple(containers)

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
        mode = self._render(resolver, entry.get('mode', 'http'), 'http')
        if not self._backend_enabled(resolver, entry, external, mode):
            return None
        port = self._render(resolver, entry.get('port'))
        listen_port = self._render(resolver, entry.get('listen_port', port))
        if _UNRESOLVED in (port, listen_port):
            raise exceptions.InventoryError(
                reason='the port of HAProxy entry %s (%r) cannot be '
                       'evaluated; define the variables it uses in '
                       'globals.yml' % (key, entry.get('listen_port',
                                                       entry.get('port'))))
        port, listen_port = _number(port), _number(listen_port)
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
                                      entry.get('host_group', group), group)
            servers = self._servers(host_group, listen_port, active_passive)
        return model.Backend(
            name=variables.plain(key),
            mode=mode,
            external=external,
            port=port,
            listen_port=listen_port,
            health_check=self._render(resolver, '{{ %s }}' % check_var, ''),
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
        if address == UNKNOWN_ADDRESS:
            address = host
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
                host = self._host_named(fields[1])
                if address == UNKNOWN_ADDRESS:
                    address = host
                servers.append(model.Server(
                    host=host, name=fields[1],
                    address=address,
                    port=port, address_source='custom_member_list',
                    backup='backup' in fields))
        return tuple(servers)
