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
"""Render an upgrade plan as a table or as JSON."""

import json
import textwrap

from kolla_zdu_plugin.planning import plan


def _window(step):
    return '' if step.window is None else '<= %ss' % step.window


def _target(step):
    if not step.servers:
        return ''
    where = ' on %s' % ','.join(step.loadbalancers) if step.loadbalancers \
        else ''
    return '%s%s' % (' '.join(step.servers), where)


def _step_line(number, step):
    fields = [step.host, step.action, step.detail, _target(step),
              _window(step)]
    return '  %2d. %s' % (number, ' | '.join(f for f in fields if f))


def _bounds(upgrade_plan):
    bounds = upgrade_plan.bounds
    out, _parts = bounds.out_of_service()
    return ('bounds: drain %d s, recreate %d s, readiness %d s%s; '
            'out-of-service lease %d s (a host is out at most %d s); '
            'hold %d s, at most %d requests (lease of held servers %d s)' % (
                bounds.drain_timeout, bounds.recreate_time,
                bounds.readiness_timeout,
                ', migrations %d s' % bounds.migration_time
                if bounds.migrates else '',
                bounds.lease, out, bounds.hold_time, bounds.held_requests,
                bounds.hold_lease))


def _batch_lines(batches, number=0):
    lines = []
    for index, batch in enumerate(batches, 1):
        lines.append('  play %d of %d: %s on %s' % (
            index, len(batches), batch.mechanism, ', '.join(batch.hosts)))
        for step in batch.steps:
            number += 1
            lines.append(_step_line(number, step))
    return lines


def _loadbalancer_lines(lb_plan):
    if lb_plan is None:
        return []
    lines = ['', 'loadbalancer (%s; VIP %s): handoff, before the services'
             % (', '.join(entry[1] for entry in lb_plan.containers),
                ', '.join(lb_plan.addresses) or 'none'),
             '  why: %s' % lb_plan.reason]
    lines.extend(_batch_lines(lb_plan.batches))
    lines.extend('  note: %s' % note for note in lb_plan.notes)
    return lines


def _serial_role_lines(role_plan):
    lines = ['', '%s (role %s, containers %s): one host at a time, before '
             'the services' % (role_plan.role, role_plan.role, ', '.join(
                 entry[1] for entry in role_plan.containers)),
             '  why: %s' % role_plan.reason]
    lines.extend(_batch_lines(role_plan.batches))
    return lines


def _site_pass_lines(site_plan):
    if not site_plan.playbooks:
        return []
    lines = ['', 'site pass (%s), after the services: every play as '
             'written, but' % ', '.join(site_plan.playbooks)]
    number = 0
    for change in site_plan.changes:
        where = ('' if change.playbook in site_plan.playbooks
                 else ' (%s)' % change.playbook)
        lines.append('  %s "%s"%s: %s' % (
            change.decision, change.name, where, change.reason))
        if change.decision == plan.SITE_ROLL:
            rolled = _batch_lines(change.batches, number)
            number += sum(len(batch.steps) for batch in change.batches)
            lines.extend('  ' + line for line in rolled)
    lines.extend('  imported as written (YAML only Ansible reads, or not '
                 'found): %s' % path for path in site_plan.whole)
    if site_plan.as_written:
        lines.extend(textwrap.wrap(
            'roles whose plays run as written, on the hosts they select: %s'
            % ', '.join(site_plan.as_written), width=79,
            initial_indent='  ', subsequent_indent='    ',
            break_on_hyphens=False))
    return lines


def _service_header(service_plan):
    if not service_plan.siblings:
        return '%s (%s, container %s): %s' % (
            service_plan.service, service_plan.project,
            service_plan.container, service_plan.label)
    return ('%s (role %s, containers %s, drained and gated together): %s'
            % (', '.join(m.service for m in service_plan.members),
               service_plan.project,
               ', '.join(m.container for m in service_plan.members),
               service_plan.label))


def as_table(upgrade_plan):
    """Return the plan as text: a header per service, a line per step.

    The steps of a service are grouped by the play that carries them out,
    one play per batch of hosts.
    """
    loadbalancers = ', '.join(upgrade_plan.loadbalancers) or 'none'
    lines = ['HAProxy hosts: %s' % loadbalancers]
    if upgrade_plan.bounds is not None:
        lines.append(_bounds(upgrade_plan))
    lines.extend(_loadbalancer_lines(upgrade_plan.loadbalancer))
    for role_plan in upgrade_plan.serial_roles:
        lines.extend(_serial_role_lines(role_plan))
    for service_plan in upgrade_plan.services:
        lines.append('')
        lines.append(_service_header(service_plan))
        lines.append('  why: %s' % service_plan.reason)
        number = 0
        for step in service_plan.notes:
            number += 1
            lines.append(_step_line(number, step))
        lines.extend(_batch_lines(service_plan.batches, number))
    lines.extend(_site_pass_lines(upgrade_plan.site_pass))
    for note in upgrade_plan.notes:
        lines.append('note: %s' % note)
    return '\n'.join(lines) + '\n'


def as_json(upgrade_plan):
    """Return the plan as indented JSON."""
    return json.dumps(upgrade_plan.to_dict(), indent=2, sort_keys=True) + '\n'


FORMATTERS = {'table': as_table, 'json': as_json}
