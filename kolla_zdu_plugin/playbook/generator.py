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
"""Write the playbook of a zero-downtime upgrade from its plan.

The playbook is thin: every play applies a role of the plugin's
``ansible/roles`` with variables read from the plan, and nothing else.
Each batch of a service plan becomes one play of the ``zdu_service``
role, on the batch's hosts, with the batch's servers, readiness targets
and bounds. The run-wide settings go to a vars file beside it.
"""

import dataclasses
import os

import yaml

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.planning import plan
from kolla_zdu_plugin.playbook import loadbalancer_plays
from kolla_zdu_plugin.playbook import serial_role_plays

PLAYBOOK_NAME = 'zdu-upgrade.yml'
VARS_NAME = 'zdu-vars.yml'
# The extra variable that tells the roles the run's directory.
RUN_DIR = 'zdu_run_dir'

# What the tasks of each mechanism of the zdu_service role carry out, in
# order, as seen from one host of the batch (its own steps and the steps
# on every host): ansible/roles/zdu_service/tasks/<mechanism>.yml.
# Database steps are kolla's handlers', run by the recreate.
ROLE_STEPS = {
    plan.ROLLING: (plan.DRAIN, plan.WAIT_DRAINED, plan.RECREATE,
                   plan.WAIT_READY, plan.READY),
    plan.PARALLEL: (plan.START_NEXT, plan.WAIT_READY, plan.ADD_NEXT,
                    plan.DRAIN, plan.WAIT_DRAINED, plan.RECREATE,
                    plan.WAIT_READY, plan.READY, plan.REMOVE_NEXT),
    plan.BUFFER: (plan.HOLD, plan.WAIT_DRAINED, plan.RECREATE,
                  plan.WAIT_READY, plan.RELEASE),
    plan.PARALLEL_BUFFER: (plan.START_NEXT, plan.WAIT_READY, plan.HOLD,
                           plan.WAIT_DRAINED, plan.ADD_NEXT, plan.RELEASE,
                           plan.RECREATE, plan.WAIT_READY, plan.READY,
                           plan.REMOVE_NEXT),
}
_DATABASE = (plan.DB_EXPAND_MIGRATE, plan.DB_CONTRACT)
_NEXT_SERVER_STEPS = (plan.ADD_NEXT, plan.REMOVE_NEXT)


class _Dumper(yaml.SafeDumper):
    """Write repeated lists in full, as a person would, without anchors."""

    def ignore_aliases(self, data):
        return True


# Strings Ansible tagged (trust, origin) are written as the plain strings
# they are.
_Dumper.add_multi_representer(
    str, lambda dumper, data: dumper.represent_str(str.__str__(data)))


def _host_view(batch, host):
    """Return the actions ``host`` takes part in, repeats folded."""
    actions = []
    for step in batch.steps:
        if step.action in _DATABASE or step.host not in (host, '*'):
            continue
        if not actions or actions[-1] != step.action:
            actions.append(step.action)
    return tuple(actions)


def check_batch(service_plan, batch):
    """Refuse a batch the role does not carry out exactly as planned.

    :raises: PreflightError naming the service, the mechanism and the
        steps that differ.
    """
    expected = ROLE_STEPS.get(batch.mechanism)
    if expected is None:
        raise exceptions.PreflightError(
            reason='strategy %s planned mechanism "%s" for service %s, '
                   'which no role of the plugin carries out (known: %s); '
                   'choose another with --zdu-strategy or [zdu] '
                   'service_strategies'
                   % (service_plan.label, batch.mechanism,
                      service_plan.service, ', '.join(sorted(ROLE_STEPS))))
    for host in batch.hosts:
        found = _host_view(batch, host)
        if found != expected:
            raise exceptions.PreflightError(
                reason='strategy %s planned the steps %s for service %s on '
                       'host %s, but mechanism %s carries out %s'
                       % (service_plan.label, ', '.join(found),
                          service_plan.service, host, batch.mechanism,
                          ', '.join(expected)))


def check(upgrade_plan):
    """Refuse, before anything is written, a plan no role carries out."""
    loadbalancer_plays.check(upgrade_plan.loadbalancer)
    serial_role_plays.check(upgrade_plan.serial_roles)
    for service_plan in upgrade_plan.services:
        for batch in service_plan.batches:
            check_batch(service_plan, batch)
    for change in upgrade_plan.site_pass.changes:
        for batch in change.batches:
            check_batch(_service_plan(upgrade_plan, change.service), batch)


def _service_plan(upgrade_plan, name):
    for service_plan in upgrade_plan.services:
        if service_plan.service == name:
            return service_plan
    raise exceptions.PreflightError(
        reason='the site pass names service %s, which the plan does not '
               'upgrade' % name)


def _by_host(batch, action, container=None):
    found = {}
    for step in batch.steps:
        if step.action != action or step.host not in batch.hosts:
            continue
        if container is not None and step.container != container:
            continue
        found.setdefault(step.host, step)
    return found


def _window(batch, action):
    windows = [step.window for step in batch.steps
               if step.action == action and step.window is not None]
    return max(windows) if windows else None


def service_vars(service_plan, batch, bounds=None):
    """Return the ``zdu_service`` role's variables for one batch.

    The batch is one :func:`check` accepted.

    :param bounds: the run's
        :class:`~kolla_zdu_plugin.planning.bounds.Bounds`; a batch that
        holds requests gives its servers the shorter lease of a hold.
    """
    canonical = service_plan.container
    servers = {host: list(step.servers) for host, step in
               _by_host(batch, plan.READY).items()}
    hold = [step for step in batch.steps if step.action == plan.HOLD]
    start = next(iter(_by_host(batch, plan.START_NEXT).values()), None)
    role_vars = {
        'zdu_service_mechanism': batch.mechanism,
        'zdu_service_name': service_plan.service,
        'zdu_service_project': service_plan.project,
        'zdu_service_container': canonical,
        'zdu_service_services_var': service_plan.services_var,
        'zdu_service_loadbalancers': sorted({
            lb for step in batch.steps for lb in step.loadbalancers}),
        'zdu_service_servers': servers,
        'zdu_service_all_servers': (
            list(hold[0].servers) if hold
            else [name for host in batch.hosts
                  for name in servers.get(host, ())]),
        'zdu_service_readiness': {
            host: [{'port': port, 'path': path}
                   for port, path in step.targets]
            for host, step in _by_host(batch, plan.WAIT_READY,
                                       canonical).items()},
        'zdu_service_readiness_timeout': _window(batch, plan.WAIT_READY),
        'zdu_service_drain_timeout': _window(batch, plan.WAIT_DRAINED),
        'zdu_service_migrates': any(step.action in _DATABASE
                                    for step in batch.steps),
        'zdu_service_contracts': any(step.action == plan.DB_CONTRACT
                                     for step in batch.steps),
        'zdu_service_kolla_variables': dict(next(
            (step.variables for step in batch.steps
             if step.action == plan.RECREATE), ())),
        'zdu_service_tasks_from': next(
            (step.tasks_from for step in batch.steps
             if step.action == plan.RECREATE and step.tasks_from), 'main'),
        'zdu_service_role_containers': {
            host: [{'service': key, 'container': name}
                   for key, name in step.role_containers]
            for host, step in _by_host(batch, plan.RECREATE).items()},
    }
    if bounds is not None:
        role_vars['zdu_service_lease'] = (bounds.hold_lease if hold
                                          else bounds.lease)
    if start is not None:
        role_vars.update({
            'zdu_service_next_container': start.container,
            'zdu_service_next_variables': dict(start.variables),
            'zdu_service_next_readiness': {
                host: [{'port': port, 'path': path}
                       for port, path in step.targets]
                for host, step in _by_host(batch, plan.WAIT_READY,
                                           start.container).items()},
            'zdu_service_next_servers': {
                host: [{'name': name, 'port': port}
                       for name, port in zip(step.servers, step.ports)]
                for host, step in _by_host(batch, plan.ADD_NEXT).items()},
        })
    return role_vars


def _play(name, hosts, role, role_vars, gather_facts=False):
    return {'name': name, 'hosts': list(hosts),
            'gather_facts': gather_facts, 'any_errors_fatal': True,
            'vars_files': [VARS_NAME],
            'module_defaults': {'zdu_haproxy': {
                'container': '{{ zdu_haproxy_container }}',
                'container_engine': '{{ kolla_container_engine }}',
                'socket_path': '{{ zdu_haproxy_socket_path }}'}},
            'roles': [dict({'role': role}, **role_vars)]}


def _acting(upgrade_plan):
    return [service_plan for service_plan in upgrade_plan.services
            if service_plan.batches]


def _servers(service_plans, only_holding=False):
    return sorted({
        name for service_plan in service_plans
        if not only_holding or service_plan.holds_requests
        for step in service_plan.steps
        if step.action not in _NEXT_SERVER_STEPS
        for name in step.servers})


def _hosts(upgrade_plan):
    ordered = list(upgrade_plan.loadbalancers)
    for service_plan in _acting(upgrade_plan):
        ordered += [h for h in service_plan.hosts if h not in ordered]
    return ordered


def _next_containers(service_plans):
    containers = {}
    for service_plan in service_plans:
        for step in service_plan.steps:
            if step.action != plan.START_NEXT:
                continue
            entry = containers.setdefault(
                step.container, {'container': step.container,
                                 'ports': [], 'hosts': []})
            entry['ports'] = sorted(set(entry['ports']) | set(step.ports))
            if step.host not in entry['hosts']:
                entry['hosts'].append(step.host)
    return list(containers.values())


def preflight(upgrade_plan, conf):
    """Return the plays that check, and converge, before any change.

    What an interrupted run left (servers out of service, temporary
    containers holding the parallel ports) is converged after the HAProxy
    checks and before the port checks, so a rerun finds its ports free.
    """
    acting = _acting(upgrade_plan)
    hosts = _hosts(upgrade_plan)
    loadbalancers = list(upgrade_plan.loadbalancers)
    return [
        _play('zdu | pre-flight | every host and every HAProxy', hosts,
              'zdu_preflight',
              {'zdu_preflight_phase': 'haproxy',
               'zdu_preflight_loadbalancers': loadbalancers,
               'zdu_preflight_servers': _servers(acting),
               'zdu_preflight_hold_servers': _servers(acting, True)},
              gather_facts=True),
        _play('zdu | converge what an interrupted run left', hosts,
              'zdu_converge',
              {'zdu_converge_loadbalancers': loadbalancers,
               'zdu_converge_temporary_suffix':
                   conf.parallel.container_suffix,
               'zdu_converge_loadbalancer': loadbalancer_plays.converge_vars(
                   upgrade_plan.loadbalancer, conf),
               'zdu_converge_next_containers': [
                   {'container': sp.container
                    + conf.parallel.container_suffix,
                    'hosts': list(sp.hosts)} for sp in acting]}),
        _play('zdu | pre-flight | images, ports and memory', hosts,
              'zdu_preflight',
              {'zdu_preflight_phase': 'hosts',
               'zdu_preflight_images': [
                   {'service': member.service, 'image': member.image,
                    'image_var': member.image_var,
                    'hosts': list(member.hosts)}
                   for sp in acting for member in sp.members],
               'zdu_preflight_next_containers': _next_containers(acting),
               'zdu_preflight_min_free_memory_mb':
                   conf.parallel.min_free_memory_mb}),
    ]


def service_plays(service_plan, bounds=None, label=None):
    """Return one play per batch of ``service_plan``, in plan order."""
    return [_play('zdu | %s | %s | %s' % (label or service_plan.service,
                                          batch.mechanism,
                                          ', '.join(batch.hosts)),
                  batch.hosts, 'zdu_service',
                  service_vars(service_plan, batch, bounds))
            for batch in service_plan.batches]


def rolled_plays(upgrade_plan, change):
    """Return the plays of a play the site pass rolls, one per host."""
    service_plan = dataclasses.replace(
        _service_plan(upgrade_plan, change.service), batches=change.batches)
    return service_plays(service_plan, upgrade_plan.bounds,
                         label='site pass | %s' % change.name)


def run_vars(upgrade_plan, conf):
    """Return the run-wide settings the roles read, for the vars file."""
    return {
        'zdu_haproxy_container': conf.haproxy.container_name,
        'zdu_haproxy_socket_path': conf.haproxy.socket_path,
        'zdu_drain_poll_interval': conf.drain.poll_interval,
        'zdu_readiness_consecutive_successes':
            conf.readiness.consecutive_successes,
        'zdu_readiness_request_timeout': conf.readiness.request_timeout,
        'zdu_readiness_ca_path': conf.readiness.ca_path or '',
        'zdu_rollback_on_failure': conf.zdu.rollback_on_failure,
        'zdu_buffer_max_hold_time': upgrade_plan.bounds.hold_time,
        'zdu_buffer_max_held_requests': upgrade_plan.bounds.held_requests,
    }


def build(upgrade_plan, conf, site_playbooks, first=None):
    """Return the whole playbook as a list of plays.

    The plan is one :func:`check` accepted, which the run does before it
    writes anything.

    :param site_playbooks: the site pass: the playbooks a plain upgrade
        would run, or the copies the site pass wrote.
    :param first: ``{service: [playbook, ...]}`` the site pass runs
        before the batches of a service.
    """
    acting = _acting(upgrade_plan)
    playbook = preflight(upgrade_plan, conf)
    playbook.extend(loadbalancer_plays.plays(upgrade_plan.loadbalancer,
                                             _play))
    playbook.extend(serial_role_plays.plays(upgrade_plan.serial_roles,
                                            _play))
    for service_plan in acting:
        playbook.extend({'import_playbook': path} for path in
                        (first or {}).get(service_plan.service, ()))
        playbook.extend(service_plays(service_plan, upgrade_plan.bounds))
    playbook.extend({'import_playbook': os.path.abspath(path)}
                    for path in site_playbooks)
    playbook.append(_play('zdu | verify every server is back in service',
                          upgrade_plan.loadbalancers, 'zdu_verify',
                          {'zdu_verify_servers': _servers(acting)}))
    summary = _play('zdu | summary', ['localhost'], 'zdu_summary', {})
    del summary['module_defaults']
    playbook.append(summary)
    return playbook


def _dump(path, header, data):
    with open(path, 'w') as stream:
        stream.write('---\n# %s\n' % header)
        yaml.dump(data, stream, Dumper=_Dumper, default_flow_style=False,
                  sort_keys=False, width=1000)
    return path


def write(run_dir, playbook, settings):
    """Write ``playbook`` and its vars file into ``run_dir``.

    :returns: the playbook's path.
    """
    _dump(os.path.join(run_dir, VARS_NAME),
          'Settings of this run, from zdu.conf, for kolla-zdu-plugin roles.',
          settings)
    return _dump(os.path.join(run_dir, PLAYBOOK_NAME),
                 'Generated by kolla-zdu-plugin for this run: each play '
                 'applies a role of the plugin with a batch of the plan.',
                 playbook)
