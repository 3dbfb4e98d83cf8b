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
    # The drain is inside the block: if it fails on one HAProxy, the
    # servers it drained on the others are put back at once.
    body = [tasks.haproxy('drain', servers, service, conf),
            tasks.wait_drained(servers, service, conf),
            tasks.kolla_role(service),
            tasks.flush_handlers()]
    body += tasks.wait_ready(service, host, conf)
    return _play(
        'zdu | %s | rolling | %s' % (service.name, host), host,
        tasks.record_previous(service)
        + [{'block': body,
            'rescue': tasks.roll_back(service, host, conf,
                                      can_stay_drained=True),
            'always': [
                tasks.unless_kept_drained(
                    tasks.haproxy('ready', servers, service, conf)),
                tasks.unless_kept_drained(tasks.forget_config(service))]}])


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
    container_vars = _next_container_vars(service, conf)
    render = tasks.kolla_role(service, container_vars, 'config')
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
         'kolla_container': dict(
             tasks.container_definition(
                 service, next_container_name(service, conf),
                 "{{ %s['%s'].image }}" % (service.services_var,
                                           service.name)),
             action='start_container')},
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
    cleanup = [
        tasks.unless_kept_drained(
            tasks.haproxy('ready', servers, service, conf)),
        tasks.haproxy('delete', next_servers, service, conf)]
    cleanup += remove_next(service, conf)
    cleanup.append(tasks.unless_kept_drained(tasks.forget_config(service)))
    return _play(
        'zdu | %s | parallel | %s' % (service.name, host), host,
        tasks.record_previous(service)
        + [{'block': body,
            'rescue': tasks.roll_back(service, host, conf,
                                      can_stay_drained=True),
            'always': cleanup}])


def _once(task):
    task['run_once'] = True
    return task


def _restart_phases(service):
    """Return the role's tasks before, inside and after the hold.

    Before the hold, kolla renders the configuration and notifies its
    restart handlers, so the hold covers only the restarts; the whole
    upgrade then runs once more after it and finds nothing to restart. A
    role whose upgrade runs database migrations from its handlers runs
    whole inside the hold instead, so kolla's handler order is kept.
    """
    render = [tasks.kolla_role(service, tasks_from='config')]
    whole = [tasks.kolla_role(service), tasks.flush_handlers()]
    if service.database_steps:
        return render, whole, []
    notify = [tasks.kolla_role(service, tasks_from='check-containers')]
    return render + notify, [tasks.flush_handlers()], whole


def buffer_all(service, conf):
    """Restart every host together while HAProxy holds new requests.

    The new configuration is rendered, and kolla's restart handlers are
    notified, before the hold, so it covers only the container restarts
    and readiness. Draining every server starts the hold (the hold action
    of the backends acts when no server is usable); maintenance keeps held
    requests off the stopping containers; ready releases them.
    """
    servers = steps.server_names(service)
    each_host = '{{ inventory_hostname }}'
    before, inside, after = _restart_phases(service)
    body = before + [_once(tasks.haproxy('drain', servers, service, conf)),
                     _once(tasks.wait_drained(servers, service, conf)),
                     _once(tasks.haproxy('maint', servers, service, conf))]
    body += inside
    body += tasks.wait_ready(service, service.hosts[0], conf,
                             label=each_host)
    return _play(
        'zdu | %s | buffer | %s' % (service.name, ', '.join(service.hosts)),
        list(service.hosts),
        tasks.record_previous(service)
        + [{'block': body,
            'rescue': tasks.roll_back(service, service.hosts[0], conf,
                                      label=each_host),
            'always': [_once(tasks.haproxy('ready', servers, service,
                                           conf)),
                       tasks.forget_config(service)]}]
        + after)


CUT_OVER = 'zdu_cut_over'
SERVED_BY_KOLLA = 'zdu_served_by_kolla_container'


def _here(task, servers_var, name, **extra):
    """Aim a ``zdu_haproxy`` task at the play's current host's servers."""
    task['zdu_haproxy'].update(
        servers='{{ %s[inventory_hostname] }}' % servers_var, **extra)
    task['name'] = 'zdu | %s in every HAProxy' % name
    return task


def _per_host_vars(service, conf):
    return {
        'zdu_servers': {host: list(steps.server_names(service, host))
                        for host in service.hosts},
        'zdu_next_servers': {
            host: list(steps.next_server_names(service, host, conf))
            for host in service.hosts},
        'zdu_next_addresses': {
            host: new_server_addresses(service, host, conf)
            for host in service.hosts}}


def _cut_over(service, conf):
    """Move every host's traffic from the old to the new containers at once.

    Draining every old server starts the hold; maintenance keeps held
    requests off them; adding the new servers releases the held requests,
    so the old and the new version never serve together.
    """
    servers = steps.server_names(service)
    add = _here(tasks.haproxy('add', (), service, conf), 'zdu_next_servers',
                'add the new servers of {{ inventory_hostname }}',
                new_servers='{{ zdu_next_addresses[inventory_hostname] }}')
    return [
        _once(tasks.haproxy('drain', servers, service, conf)),
        _once(tasks.wait_drained(servers, service, conf)),
        _once(tasks.haproxy('maint', servers, service, conf)),
        {'name': 'zdu | the cut-over of %s has begun' % service.name,
         'ansible.builtin.set_fact': {CUT_OVER: True}},
        add,
    ]


def _move_back_to_kolla(service, conf):
    """Recreate kolla's container with the new image, then leave the next."""
    each_host = '{{ inventory_hostname }}'
    moved = [tasks.kolla_role(service), tasks.flush_handlers()]
    moved += tasks.wait_ready(service, service.hosts[0], conf,
                              label=each_host)
    wait_next = tasks.wait_drained((), service, conf)
    moved += [
        _here(tasks.haproxy('ready', (), service, conf), 'zdu_servers',
              'make {{ inventory_hostname }} ready'),
        {'name': 'zdu | %s is served by kolla\'s container again'
                 % service.name,
         'ansible.builtin.set_fact': {SERVED_BY_KOLLA: True}},
        _here(tasks.haproxy('drain', (), service, conf), 'zdu_next_servers',
              'drain the new servers of {{ inventory_hostname }}'),
        _here(wait_next, 'zdu_next_servers',
              'wait until the new servers of {{ inventory_hostname }} are '
              'drained'),
    ]
    return moved


def _rescue_cutover(service, conf):
    each_host = '{{ inventory_hostname }}'
    before = 'not (%s | default(false))' % CUT_OVER
    rescue = tasks.roll_back(service, service.hosts[0], conf,
                             label=each_host)
    for task in rescue:
        task['when'] = _and(task.get('when'), before)
    after = tasks.fail(
        'zero-downtime upgrade of service %s failed on host %s after the '
        'cut-over: {{ ansible_failed_task.name | default("a step") }}: '
        '{{ ansible_failed_result.msg | default("") }}. The new version '
        'keeps serving from %s; kolla\'s container %s stays in maintenance. '
        'Fix the cause and run the upgrade again.'
        % (service.name, each_host, next_container_name(service, conf),
           service.container_name))
    after['when'] = '%s | default(false)' % CUT_OVER
    return rescue + [after]


def buffered_cutover(service, conf):
    """Warm the new version up on every host, then cut over under a hold.

    For services whose old and new versions must not serve together: the
    new containers start beside the old ones and warm up; HAProxy holds
    requests only while the servers are swapped on every host at once.
    Moving back to kolla's own containers is then a move between two
    containers of the new version. If that move fails, the new containers
    keep serving rather than leave no server.
    """
    each_host = '{{ inventory_hostname }}'
    body = _start_next(service, conf)
    body += tasks.wait_ready(service, service.hosts[0], conf,
                             port_offset=conf.parallel.port_offset,
                             label=each_host)
    body += _cut_over(service, conf)
    body += _move_back_to_kolla(service, conf)
    safe_to_clean = '(not (%s | default(false))) or (%s | default(false))' % (
        CUT_OVER, SERVED_BY_KOLLA)
    cleanup = [
        _here(tasks.haproxy('ready', (), service, conf), 'zdu_servers',
              'make {{ inventory_hostname }} ready'),
        _here(tasks.haproxy('delete', (), service, conf),
              'zdu_next_servers',
              'delete the new servers of {{ inventory_hostname }}'),
    ] + remove_next(service, conf)
    for task in cleanup:
        task['when'] = safe_to_clean
    cleanup.append(tasks.forget_config(service))
    play = _play(
        'zdu | %s | parallel+buffer | %s' % (service.name,
                                             ', '.join(service.hosts)),
        list(service.hosts),
        tasks.record_previous(service)
        + [{'block': body, 'rescue': _rescue_cutover(service, conf),
            'always': cleanup}])
    play['vars'] = _per_host_vars(service, conf)
    return play


def _and(first, second):
    return '(%s) and (%s)' % (first, second) if first else second
