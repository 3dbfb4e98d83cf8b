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
"""The plays that carry out each strategy on one service."""

from kolla_zdu_plugin.playbook import tasks
from kolla_zdu_plugin.strategies import steps

NEXT_CONFIG_DIR = 'zdu_next_config_dir'


def _play(name, hosts, play_tasks, serial=None):
    play = {'name': name, 'hosts': hosts, 'gather_facts': False,
            'any_errors_fatal': True, 'tasks': play_tasks}
    if serial is not None:
        play['serial'] = serial
    return play


def rolling_host(service, host, conf):
    """Drain ``host`` everywhere, upgrade it with kolla's role, restore it."""
    servers = steps.server_names(service, host)
    body = [tasks.wait_drained(servers, service, conf),
            tasks.kolla_role(service),
            tasks.flush_handlers()]
    body += tasks.wait_ready(service, host, conf)
    return _play(
        'zdu | %s | rolling | %s' % (service.name, host), host,
        tasks.record_previous_image(service)
        + [tasks.haproxy('drain', servers, service, conf),
           {'block': body,
            'rescue': tasks.roll_back(service, host, conf),
            'always': [tasks.haproxy('ready', servers, service, conf)]}])


def _next_container_vars(service, conf):
    variables = {'node_config_directory': '{{ %s }}' % NEXT_CONFIG_DIR}
    listen_ports = sorted({int(server.port) for backend in service.backends
                           for server in backend.servers})
    for name, port in zip(service.port_vars, listen_ports):
        variables[name] = port + conf.parallel.port_offset
    return variables


def next_container_name(service, conf):
    """Return the name of the temporary container of ``service``."""
    return service.container_name + conf.parallel.container_suffix


def _start_next(service, conf):
    definition = "%s['%s']" % (service.services_var, service.name)
    container_vars = _next_container_vars(service, conf)
    render = tasks.kolla_role(service, container_vars, 'config')
    render['ansible.builtin.include_role']['public'] = True
    render['name'] = ('zdu | render the configuration of %s into {{ %s }}'
                      % (next_container_name(service, conf),
                         NEXT_CONFIG_DIR))
    return [
        {'name': 'zdu | choose the configuration directory of %s'
                 % next_container_name(service, conf),
         'ansible.builtin.set_fact': {
             NEXT_CONFIG_DIR: '{{ node_config_directory }}/zdu-next'}},
        render,
        {'name': 'zdu | start %s' % next_container_name(service, conf),
         'become': True,
         'vars': container_vars,
         'kolla_container': {
             'action': 'start_container',
             'common_options': '{{ docker_common_options }}',
             'name': next_container_name(service, conf),
             'image': '{{ %s.image }}' % definition,
             'volumes': "{{ %s.volumes | reject('equalto', '') | list }}"
                        % definition,
             'dimensions': '{{ %s.dimensions | default({}) }}' % definition,
             'healthcheck': '{{ %s.healthcheck | default(omit) }}'
                            % definition,
             'environment': '{{ %s.environment | default(omit) }}'
                            % definition}},
    ]


def remove_next(service, conf):
    """Return the tasks removing the temporary container, unit and files."""
    return [
        {'name': 'zdu | remove %s and its unit'
                 % next_container_name(service, conf),
         'become': True,
         'kolla_container': {
             'action': 'stop_and_remove_container',
             'common_options': '{{ docker_common_options }}',
             'name': next_container_name(service, conf),
             'ignore_missing': True}},
        {'name': 'zdu | remove the enablement link kolla leaves for %s'
                 % next_container_name(service, conf),
         'become': True,
         'ansible.builtin.file': {
             'path': '/etc/systemd/system/multi-user.target.wants/'
                     'kolla-%s-container.service'
                     % next_container_name(service, conf),
             'state': 'absent'}},
        {'name': 'zdu | let systemd forget the unit of %s'
                 % next_container_name(service, conf),
         'become': True,
         'ansible.builtin.systemd_service': {'daemon_reload': True}},
        {'name': 'zdu | remove the configuration of %s'
                 % next_container_name(service, conf),
         'become': True,
         'ansible.builtin.file': {
             'path': '{{ node_config_directory }}/zdu-next',
             'state': 'absent'}},
    ]


def new_server_addresses(service, host, conf):
    """Return ``{next server: {address, port}}`` for ``add``."""
    return {
        '%s/%s%s' % (backend.backend_name, server.name,
                     conf.parallel.container_suffix): {
            'address': '{{ api_interface_address }}',
            'port': int(server.port) + conf.parallel.port_offset}
        for backend, server in service.servers_of(host)}


def parallel_host(service, host, conf):
    """Warm the new version up beside the old one, then move back."""
    servers = steps.server_names(service, host)
    next_servers = steps.next_server_names(service, host, conf)
    offset = conf.parallel.port_offset
    body = _start_next(service, conf)
    body += tasks.wait_ready(service, host, conf, port_offset=offset)
    body += [
        tasks.haproxy('add', next_servers, service, conf,
                      new_servers=new_server_addresses(service, host, conf)),
        tasks.haproxy('drain', servers, service, conf),
        tasks.wait_drained(servers, service, conf),
        tasks.kolla_role(service),
        tasks.flush_handlers(),
    ]
    body += tasks.wait_ready(service, host, conf)
    body += [
        tasks.haproxy('ready', servers, service, conf),
        tasks.haproxy('drain', next_servers, service, conf),
        tasks.wait_drained(next_servers, service, conf),
    ]
    cleanup = [tasks.haproxy('ready', servers, service, conf),
               tasks.haproxy('delete', next_servers, service, conf)]
    cleanup += remove_next(service, conf)
    return _play(
        'zdu | %s | parallel | %s' % (service.name, host), host,
        tasks.record_previous_image(service)
        + [{'block': body,
            'rescue': tasks.roll_back(service, host, conf),
            'always': cleanup}])


def _once(task):
    task['run_once'] = True
    return task


def buffer_all(service, conf):
    """Restart every host together while HAProxy holds new requests.

    Draining every server starts the hold (the hold action of the
    backends acts when no server is usable); maintenance keeps held
    requests off the stopping containers; ready releases them.
    """
    servers = steps.server_names(service)
    body = [_once(tasks.wait_drained(servers, service, conf)),
            _once(tasks.haproxy('maint', servers, service, conf)),
            tasks.kolla_role(service),
            tasks.flush_handlers()]
    each_host = '{{ inventory_hostname }}'
    body += tasks.wait_ready(service, service.hosts[0], conf,
                             label=each_host)
    return _play(
        'zdu | %s | buffer | %s' % (service.name, ', '.join(service.hosts)),
        list(service.hosts),
        tasks.record_previous_image(service)
        + [_once(tasks.haproxy('drain', servers, service, conf)),
           {'block': body,
            'rescue': tasks.roll_back(service, service.hosts[0], conf,
                                      label=each_host),
            'always': [_once(tasks.haproxy('ready', servers, service,
                                           conf))]}])
