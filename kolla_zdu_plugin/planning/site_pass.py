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
"""Plan the pass of the site playbook that follows the services' plays.

The zero-downtime plays apply each planned role to the hosts of its unit.
The site playbook then does the rest of a plain upgrade. Left as written,
some of its plays would restart an HAProxy-fronted container on every host
at once, or start new code before its database is migrated. Each play is:

* left out, when it only applies roles the zero-downtime plays ran, on
  groups they upgraded;
* narrowed to the other hosts, when it only applies such roles but also
  targets hosts the zero-downtime plays did not upgrade (cinder's play
  also targets cinder-volume on storage hosts);
* rolled, when its own tasks restart fronted containers of a unit
  (nova's "Reload global Nova API services"): one drained host at a time
  through the unit's servers, then the play as written on the other hosts;
* run first, before the unit's batches, when it is a database play
  (tasks from a role's ``bootstrap*`` files) that the site playbook runs
  before a play left out or narrowed above (nova's "Bootstrap nova API
  databases" migrates the API database before new nova-api code serves);
* otherwise run as written.
"""

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.planning import plan
from kolla_zdu_plugin.strategies import steps

DATABASE_TASKS_PREFIX = 'bootstrap'


def _positive_groups(hosts):
    return [pattern for pattern in hosts
            if pattern and not pattern.startswith(('&', '!'))]


def _is_database_play(play):
    return (not play.roles and not play.restarts and play.tasks_from
            and all(name.startswith(DATABASE_TASKS_PREFIX)
                    for _role, name in play.tasks_from))


class _Context(object):
    """What the zero-downtime plays upgraded, by role."""

    def __init__(self, units, service_plans, serial_role_plans):
        self.plans = {sp.project: sp for sp in service_plans
                      if sp.batches}
        self.units = {unit.project: unit for unit in units
                      if unit.project in self.plans}
        self.covered = {}
        self.hosts = {}
        for upgraded in list(self.plans.values()) + list(serial_role_plans):
            self.covered.setdefault(upgraded.project, set()).update(
                upgraded.groups)
            self.hosts.setdefault(upgraded.project, set()).update(
                upgraded.hosts)

    def rolled_restarts(self, play):
        """Return the unit whose fronted containers the play restarts."""
        for restart in play.restarts:
            unit = self.units.get(restart.role)
            if unit and any(restart.restarts(name) for name in unit.names):
                return unit, restart
        return None, None


def _roll(playbook, play, unit, restart, conf):
    if play.roles or len(set(play.tasks_from)) != 1 \
            or play.tasks_from[0][0] != unit.project:
        raise exceptions.PreflightError(
            reason='play "%s" of %s restarts %s on every host it runs on '
                   '(task "%s" of kolla role %s, %s), outside the '
                   'zero-downtime plays, and the plugin can roll only a '
                   'play whose tasks come from one task file of role %s; '
                   'plan %s with the noop strategy to leave it to '
                   'kolla-ansible'
                   % (play.name, playbook.path, ', '.join(unit.names),
                      restart.task, restart.role, restart.path,
                      unit.project, ', '.join(unit.names)))
    tasks_from = play.tasks_from[0][1]
    batches = []
    for host in unit.hosts:
        step = steps.recreate(unit, host, conf)
        restarted = [name for key, name in step.role_containers
                     if restart.restarts(key)]
        planned = steps.drain(unit, host, conf)
        planned.append(plan.Step(
            host=host, action=plan.RECREATE,
            detail='kolla role %s, tasks %s (play "%s"): restarts %s'
                   % (unit.project, tasks_from, play.name,
                      ', '.join(restarted) or unit.container_name),
            container=unit.container_name, image=unit.image,
            role_containers=step.role_containers, tasks_from=tasks_from))
        planned.append(steps.wait_ready(unit, host, conf))
        planned.append(steps.ready(unit, host))
        batches.append(steps.batch([host], plan.ROLLING, planned))
    return plan.SitePlayChange(
        playbook=playbook.path, index=play.index, name=play.name,
        decision=plan.SITE_ROLL,
        reason='its tasks restart %s on every host at once; each host of '
               '%s is drained for them in turn, and the play runs as '
               'written on its other hosts'
               % (', '.join(unit.names), unit.name),
        excluded=tuple(unit.hosts), service=unit.name,
        batches=tuple(batches))


def _covered_change(playbook, play, context):
    groups = _positive_groups(play.hosts)
    if groups and all(group in context.covered[role]
                      for role in play.roles for group in groups):
        return plan.SitePlayChange(
            playbook=playbook.path, index=play.index, name=play.name,
            decision=plan.SITE_SKIP,
            reason='the zero-downtime plays upgraded %s on %s'
                   % (', '.join(play.roles), ', '.join(groups)))
    excluded = sorted({host for role in play.roles
                       for host in context.hosts[role]})
    return plan.SitePlayChange(
        playbook=playbook.path, index=play.index, name=play.name,
        decision=plan.SITE_NARROW,
        reason='the zero-downtime plays upgraded %s on %s; the play runs '
               'on its other hosts' % (', '.join(play.roles),
                                       ', '.join(excluded)),
        excluded=tuple(excluded))


def _first_owner(play, context):
    """Return the unit a play left out or narrowed upgraded, or None."""
    for role in play.roles:
        if role in context.units:
            return context.units[role]
    return None


def _playbook_changes(playbook, context, conf):
    changes, database = [], []
    for play in playbook.plays:
        if play.imports:
            continue
        if play.only_roles and all(role in context.covered
                                   for role in play.roles):
            changes.append(_covered_change(playbook, play, context))
            owner = _first_owner(play, context)
            if owner is not None:
                changes.extend(plan.SitePlayChange(
                    playbook=playbook.path, index=db.index, name=db.name,
                    decision=plan.SITE_FIRST,
                    reason='it migrates the database that new %s code '
                           'serves on; the site playbook runs it before '
                           '"%s"' % (', '.join(owner.names), play.name),
                    service=owner.name) for db in database)
                database = []
            continue
        unit, restart = context.rolled_restarts(play)
        if unit is not None:
            changes.append(_roll(playbook, play, unit, restart, conf))
        elif _is_database_play(play):
            database.append(play)
    return changes


def plan_site_pass(service_map, units, service_plans, serial_role_plans,
                   conf):
    """Return the :class:`~.plan.SitePassPlan` of the run.

    :param units: the planned units (see ``role_units.merge``).
    :raises: PreflightError for a play that restarts fronted containers
        in a way the plugin cannot roll.
    """
    context = _Context(units, service_plans, serial_role_plans)
    changes, whole = [], []
    for playbook in service_map.site_playbooks:
        if not playbook.readable:
            whole.append(playbook.path)
            continue
        changes.extend(_playbook_changes(playbook, context, conf))
    changes.sort(key=lambda change: (
        [p.path for p in service_map.site_playbooks].index(change.playbook),
        change.index))
    top = tuple(p.path for p in service_map.site_playbooks if p.top)
    return plan.SitePassPlan(playbooks=top, changes=tuple(changes),
                             whole=tuple(whole),
                             as_written=_roles_as_written(service_map,
                                                          changes))


def _roles_as_written(service_map, changes):
    """Return the roles of the plays no change touches, in order."""
    changed = {(change.playbook, change.index) for change in changes}
    roles = {}
    for playbook in service_map.site_playbooks:
        if not playbook.readable:
            continue
        for play in playbook.plays:
            if (playbook.path, play.index) not in changed:
                roles.update(dict.fromkeys(play.applied_roles))
    return tuple(roles)
