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
"""Write the playbook of a zero-downtime upgrade from its plan."""

import os

import yaml

from kolla_zdu_plugin.playbook import plays
from kolla_zdu_plugin.playbook import tasks
from kolla_zdu_plugin.strategies import steps

PLAYBOOK_NAME = 'zdu-upgrade.yml'
# What the pre-flight check found on each loadbalancer host.
PREFLIGHT = 'zdu_preflight'


class _Dumper(yaml.SafeDumper):
    """Write repeated lists in full, as a person would, without anchors."""

    def ignore_aliases(self, data):
        return True


def _all_servers(services):
    return sorted({name for service in services
                   for name in steps.server_names(service)})


def _hosts(services, loadbalancers):
    ordered = []
    for host in list(loadbalancers) + [h for s in services for h in s.hosts]:
        if host not in ordered:
            ordered.append(host)
    return ordered


def _pull(service, image):
    return {
        'name': 'zdu | pre-flight | pull %s for %s' % (image, service.name),
        'when': 'inventory_hostname in %s' % list(service.hosts),
        'block': [{'become': True, 'kolla_container': {
            'action': 'pull_image',
            'common_options': '{{ docker_common_options }}',
            'image': image}}],
        'rescue': [tasks.fail(
            'image %s of service %s cannot be pulled on host '
            '{{ inventory_hostname }}: {{ ansible_failed_result.msg | '
            'default("") }}. Push it to the registry or fix %s in '
            'globals.yml; nothing was changed.'
            % (image, service.name, service.image_var or 'the image'))],
    }


def _leftover_next_container(service, conf):
    """Return the tasks removing what a killed parallel run left."""
    leftovers = []
    for task in plays.remove_next(service, conf):
        task = dict(task, when='inventory_hostname in %s'
                    % list(service.hosts))
        task['name'] = task['name'].replace('zdu | ', 'zdu | converge | ', 1)
        leftovers.append(task)
    return leftovers


def _free_port_checks(service, conf):
    checks = []
    ports = sorted({int(server.port) + conf.parallel.port_offset
                    for backend in service.backends
                    for server in backend.servers})
    for port in ports:
        checks.append({
            'name': 'zdu | pre-flight | port %d is free for %s' % (
                port, plays.next_container_name(service, conf)),
            'when': 'inventory_hostname in %s' % list(service.hosts),
            'ansible.builtin.wait_for': {
                'host': '{{ api_interface_address }}', 'port': port,
                'state': 'stopped', 'timeout': 1,
                'msg': 'port %d on {{ inventory_hostname }} is in use; '
                       'choose another [parallel] port_offset' % port}})
    checks.append({
        'name': 'zdu | pre-flight | memory for %s'
                % plays.next_container_name(service, conf),
        'when': 'inventory_hostname in %s' % list(service.hosts),
        'ansible.builtin.assert': {
            'that': 'ansible_facts.memory_mb.nocache.free >= %d'
                    % conf.parallel.min_free_memory_mb,
            'fail_msg': 'host {{ inventory_hostname }} has less than '
                        '%d MiB free for a second %s container ([parallel] '
                        'min_free_memory_mb)'
                        % (conf.parallel.min_free_memory_mb,
                           service.container_name)}})
    return checks


def _hold_check(buffer_services, conf):
    return {'name': 'zdu | pre-flight | HAProxy can hold requests for %s'
                    % ', '.join(s.name for s in buffer_services),
            'zdu_haproxy': tasks.haproxy_args(
                'check_hold', conf, servers=_all_servers(buffer_services),
                config_dir='{{ node_config_directory }}/haproxy')}


def preflight(services, parallel_services, loadbalancers, conf,
              buffer_services=()):
    """Return the plays that check everything before any change.

    What an interrupted run left (servers out of service, temporary
    containers holding the parallel ports) is converged after the host and
    HAProxy checks and before the port checks, so a rerun finds its ports
    free again.
    """
    hosts = _hosts(services, loadbalancers)
    servers = _all_servers(services)
    lb_checks = [{'name': 'zdu | pre-flight | HAProxy admin socket and '
                          'servers',
                  'zdu_haproxy': tasks.haproxy_args('check', conf,
                                                    servers=servers),
                  'register': PREFLIGHT},
                 {'name': 'zdu | pre-flight | servers the operator took out '
                          'of service stay out',
                  'when': '%s.operator_out | length > 0' % PREFLIGHT,
                  'ansible.builtin.debug': {
                      'msg': 'left as found, in maintenance or drain: '
                             "{{ %s.operator_out | join(', ') }}"
                             % PREFLIGHT}}]
    if buffer_services:
        lb_checks.append(_hold_check(buffer_services, conf))
    host_checks = [_pull(service, service.image) for service in services]
    for service in parallel_services:
        host_checks += _free_port_checks(service, conf)
    converge = [task for service in services
                for task in _leftover_next_container(service, conf)]
    return [
        {'name': 'zdu | pre-flight | reach every host and gather facts',
         'hosts': hosts, 'gather_facts': True, 'any_errors_fatal': True,
         'tasks': []},
        {'name': 'zdu | pre-flight | HAProxy on every loadbalancer host',
         'hosts': list(loadbalancers), 'gather_facts': False,
         'any_errors_fatal': True,
         'tasks': lb_checks},
        {'name': 'zdu | converge what an interrupted run left',
         'hosts': hosts, 'gather_facts': False, 'any_errors_fatal': True,
         'tasks': [{'name': 'zdu | restore servers and delete temporary '
                            'servers',
                    'when': 'inventory_hostname in %s' % list(loadbalancers),
                    'zdu_haproxy': tasks.haproxy_args(
                        'converge', conf,
                        temporary_suffix=conf.parallel.container_suffix)}]
         + converge},
        {'name': 'zdu | pre-flight | images, ports and memory',
         'hosts': hosts,
         'gather_facts': False, 'any_errors_fatal': True,
         'tasks': host_checks},
    ]


def verify(services, loadbalancers, conf):
    """Return the play checking every server is back in service."""
    return {
        'name': 'zdu | verify every server is back in service',
        'hosts': list(loadbalancers), 'gather_facts': False,
        'tasks': [
            {'name': 'zdu | read server states',
             'zdu_haproxy': tasks.haproxy_args(
                 'check', conf, servers=_all_servers(services)),
             'register': 'zdu_final'},
            {'name': 'zdu | no server is left drained or in maintenance, '
                     'but those found so',
             'ansible.builtin.assert': {
                 'that': "zdu_final.states | dict2items | selectattr("
                         "'value', 'match', '^(MAINT|DRAIN)') | map("
                         "attribute='key') | difference(%s.operator_out | "
                         "default([])) | length == 0" % PREFLIGHT,
                 'fail_msg': 'servers still out of service: '
                             '{{ zdu_final.states }}; out of service before '
                             'the run: {{ %s.operator_out | default([]) }}'
                             % PREFLIGHT}},
        ]}


def summary():
    """Return the play printing the per-service summary of the run."""
    return {
        'name': 'zdu | summary',
        'hosts': 'localhost', 'gather_facts': False,
        'tasks': [
            {'name': 'zdu | summarize the run',
             'zdu_summary': {'run_dir': '{{ %s }}' % tasks.RUN_DIR},
             'register': 'zdu_summary'},
            {'name': 'zdu | per-service summary',
             'ansible.builtin.debug': {'msg': '{{ zdu_summary.lines }}'}},
        ]}


def build(services_with_plays, loadbalancers, conf, site_playbooks):
    """Return the whole playbook as a list of plays.

    :param services_with_plays: ``[(service, service plan, plays)]`` in
        plan order.
    :param site_playbooks: the playbooks a plain upgrade would run.
    """
    services = [service for service, _plan, _plays in services_with_plays]
    parallel_services = [service for service, service_plan, _plays
                         in services_with_plays
                         if service_plan.starts_next_container]
    buffer_services = [service for service, service_plan, _plays
                       in services_with_plays
                       if service_plan.holds_requests]
    playbook = preflight(services, parallel_services, loadbalancers, conf,
                         buffer_services)
    for _service, _plan, service_plays in services_with_plays:
        playbook.extend(service_plays)
    playbook.extend({'import_playbook': os.path.abspath(path)}
                    for path in site_playbooks)
    playbook.append(verify(services, loadbalancers, conf))
    playbook.append(summary())
    return playbook


def write(run_dir, playbook):
    """Write ``playbook`` into ``run_dir``; return its path."""
    path = os.path.join(run_dir, PLAYBOOK_NAME)
    with open(path, 'w') as stream:
        stream.write('---\n# Generated by kolla-zdu-plugin for this run.\n')
        yaml.dump(playbook, stream, Dumper=_Dumper,
                  default_flow_style=False, sort_keys=False, width=1000)
    return path
