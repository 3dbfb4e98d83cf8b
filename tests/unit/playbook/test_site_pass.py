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
"""The site pass: planned from kolla's plays, written as planned."""

import dataclasses
import os

import yaml

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.planning import plan
from kolla_zdu_plugin.planning import planner
from kolla_zdu_plugin.planning import render
from kolla_zdu_plugin.playbook import generator
from kolla_zdu_plugin.playbook import site_pass
from kolla_zdu_plugin.servicemap import builder
from kolla_zdu_plugin.servicemap import deployment
from kolla_zdu_plugin.servicemap import model
from kolla_zdu_plugin.servicemap import site_restarts
from tests.unit import base

SITE = """
- name: Gather facts
  import_playbook: gather-facts.yml
- name: Apply role loadbalancer
  hosts: [loadbalancer, "&enable_loadbalancer_True"]
  roles: [{role: loadbalancer}]
  tasks:
    - name: Configure loadbalancer for api
      ansible.builtin.include_role: {name: api, tasks_from: loadbalancer}
- name: Apply role api
  hosts: [api, "&enable_api_True"]
  serial: '{{ kolla_serial|default("0") }}'
  roles: [{role: api, tags: api}]
- name: Apply role web
  hosts: web:other
  roles: [web]
"""


class SitePassTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.run_dir = self.make_dir('run')

    def make_dir(self, name):
        path = os.path.join(self.config_dir, name)
        os.makedirs(path, exist_ok=True)
        return path

    def write_site(self, text=SITE):
        path = os.path.join(self.make_dir('site'), 'site.yml')
        with open(path, 'w') as stream:
            stream.write(text)
        return path

    def plan_for(self, site, *services, serial_roles=()):
        service_map = model.ServiceMap(
            services=services, loadbalancers=('lb1', 'lb2'),
            serial_roles=serial_roles,
            site_playbooks=tuple(site_restarts.SiteReader({}).read(site)))
        return planner.make_plan(service_map, self.make_conf())

    def write(self, upgrade_plan):
        return site_pass.write(
            self.run_dir, upgrade_plan.site_pass,
            lambda change: generator.rolled_plays(upgrade_plan, change))

    def decisions(self, upgrade_plan):
        return [(c.name, c.decision) for c in upgrade_plan.site_pass.changes]

    def plays_of(self, path):
        with open(path) as stream:
            return yaml.safe_load(stream)

    def test_leaves_out_the_plays_of_upgraded_roles(self):
        site = self.write_site()
        upgrade_plan = self.plan_for(site, base.make_service('api'))
        self.assertEqual([('Apply role api', plan.SITE_SKIP)],
                         self.decisions(upgrade_plan))
        written = self.write(upgrade_plan)
        path, = written.site
        self.assertEqual(self.run_dir, os.path.dirname(path))
        plays = self.plays_of(path)
        self.assertEqual(
            ['Gather facts', 'Apply role loadbalancer', 'Apply role web'],
            [play['name'] for play in plays])
        self.assertEqual(os.path.join(os.path.dirname(site),
                                      'gather-facts.yml'),
                         plays[0]['import_playbook'])
        self.assertEqual(
            'api', plays[1]['tasks'][0]['ansible.builtin.include_role'][
                'name'])

    def test_keeps_the_site_playbook_when_nothing_changes(self):
        site = self.write_site()
        upgrade_plan = self.plan_for(site, base.make_service('db'))
        self.assertEqual([], self.decisions(upgrade_plan))
        self.assertEqual((site,), self.write(upgrade_plan).site)
        self.assertEqual([], os.listdir(self.run_dir))

    def test_narrows_a_play_on_a_group_not_upgraded(self):
        site = self.write_site()
        upgrade_plan = self.plan_for(site, base.make_service('web'))
        change, = upgrade_plan.site_pass.changes
        self.assertEqual(plan.SITE_NARROW, change.decision)
        self.assertEqual(('ctl1', 'ctl2', 'ctl3'), change.excluded)
        plays = self.plays_of(self.write(upgrade_plan).site[0])
        self.assertEqual('web:other:!ctl1:!ctl2:!ctl3', plays[-1]['hosts'])

    def test_leaves_out_a_play_on_every_upgraded_group(self):
        web = base.make_service('web')
        other = dataclasses.replace(base.make_service('web-other'),
                                    group='other')
        site = self.write_site()
        upgrade_plan = self.plan_for(site, web, other)
        self.assertEqual([('Apply role web', plan.SITE_SKIP)],
                         self.decisions(upgrade_plan))

    def test_keeps_a_play_with_tasks_of_its_own(self):
        site = self.write_site(SITE + (
            '- name: Post\n  hosts: api\n  roles: [api]\n'
            '  post_tasks: [{debug: {msg: x}}]\n'))
        upgrade_plan = self.plan_for(site, base.make_service('api'))
        self.assertNotIn(('Post', plan.SITE_SKIP),
                         self.decisions(upgrade_plan))

    def test_keeps_a_play_of_several_roles_not_all_upgraded(self):
        site = self.write_site(SITE + (
            '- name: Both\n  hosts: api\n  roles: [api, db]\n'))
        upgrade_plan = self.plan_for(site, base.make_service('api'))
        self.assertEqual([('Apply role api', plan.SITE_SKIP)],
                         self.decisions(upgrade_plan))

    def test_names_the_roles_whose_plays_run_as_written(self):
        site = self.write_site(SITE + (
            '- name: Own tasks\n  hosts: db\n  tasks:\n'
            '    - import_role: {name: db, tasks_from: upgrade}\n'))
        upgrade_plan = self.plan_for(site, base.make_service('api'))
        # The loadbalancer play applies its role; it only includes api's
        # loadbalancer tasks. A play without roles applies what its tasks
        # include.
        self.assertEqual(('loadbalancer', 'web', 'db'),
                         upgrade_plan.site_pass.as_written)

    def test_yaml_only_ansible_reads_is_imported_whole(self):
        site = self.write_site(SITE + '- name: x\n  vars: {a: !unsafe "{{"}\n'
                               '  hosts: api\n  roles: [api]\n')
        upgrade_plan = self.plan_for(site, base.make_service('api'))
        self.assertEqual((site,), upgrade_plan.site_pass.whole)
        self.assertEqual((site,), self.write(upgrade_plan).site)

    def test_unreadable_playbook_is_named(self):
        error = self.assertRaises(
            exceptions.ConfigError, site_restarts.SiteReader({}).read,
            '/nonexistent/site.yml')
        self.assertIn('/nonexistent/site.yml', str(error))
        self.assertIn('--playbook', str(error))


class KollaSitePassTestCase(base.TestCase):
    """kolla-ansible's own site.yml on its multinode inventory."""

    def setUp(self):
        super().setUp()
        self.run_dir = os.path.join(self.config_dir, 'run')
        os.makedirs(self.run_dir)
        self.target = deployment.Deployment([base.MULTINODE],
                                            self.config_dir)
        self.service_map = builder.ServiceMapBuilder(self.target).build()
        self.upgrade_plan = planner.make_plan(self.service_map,
                                              self.make_conf())

    def changes(self, decision):
        return {(os.path.basename(c.playbook), c.name): c
                for c in self.upgrade_plan.site_pass.changes
                if c.decision == decision}

    def hosts_of(self, patterns):
        hosts = set()
        for pattern in patterns:
            if not pattern.startswith(('&', '!')):
                hosts.update(self.target.groups.get(pattern, ()))
        return hosts

    def test_leaves_out_the_plays_the_units_ran(self):
        skipped = self.changes(plan.SITE_SKIP)
        for name in ('Apply role heat', 'Apply role keystone',
                     'Apply role memcached', 'Apply role horizon'):
            self.assertIn(('site.yml', name), skipped)
        heat, = [sp for sp in self.upgrade_plan.services
                 if sp.project == 'heat']
        self.assertEqual(('heat-api', 'heat-api-cfn', 'heat-engine'),
                         heat.groups)

    def test_narrows_cinder_to_its_storage_hosts(self):
        # cinder's play also targets cinder-volume, whose hosts the
        # zero-downtime plays did not upgrade, and cinder's reload.yml
        # restarts every cinder container of the hosts it runs on.
        cinder = self.changes(plan.SITE_NARROW)[('site.yml',
                                                 'Apply role cinder')]
        self.assertEqual(('control01', 'control02', 'control03'),
                         cinder.excluded)

    def test_rolls_the_reload_of_nova_api(self):
        rolled = self.changes(plan.SITE_ROLL)
        change = rolled[('nova.yml', 'Reload global Nova API services')]
        nova, = [sp for sp in self.upgrade_plan.services
                 if sp.project == 'nova']
        self.assertEqual(nova.service, change.service)
        self.assertEqual([(host,) for host in nova.hosts],
                         [batch.hosts for batch in change.batches])
        for batch in change.batches:
            drain = batch.steps[0]
            self.assertEqual(plan.DRAIN, drain.action)
            self.assertEqual(
                sorted('%s_back/%s' % (backend, batch.hosts[0])
                       for backend in ('nova_api', 'nova_metadata')),
                sorted(drain.servers))
            recreate = [s for s in batch.steps
                        if s.action == plan.RECREATE][0]
            self.assertEqual('reload_api', recreate.tasks_from)

    def test_nova_databases_are_migrated_before_new_nova_api_code(self):
        nova, = [sp for sp in self.upgrade_plan.services
                 if sp.project == 'nova']
        first = self.upgrade_plan.site_pass.run_first(nova.service)
        self.assertEqual(['Bootstrap nova API databases',
                          'Bootstrap nova cell databases'],
                         [change.name for change in first])
        written = site_pass.write(
            self.run_dir, self.upgrade_plan.site_pass,
            lambda change: generator.rolled_plays(self.upgrade_plan, change))
        playbook = generator.build(self.upgrade_plan, self.make_conf(),
                                   written.site, written.first)
        names = [play.get('name') or play.get('import_playbook')
                 for play in playbook]
        imports = written.first[nova.service]
        nova_plays = [i for i, name in enumerate(names)
                      if name.startswith('zdu | %s |' % nova.service)]
        self.assertEqual(list(range(nova_plays[0] - 2, nova_plays[0])),
                         [names.index(path) for path in imports])
        bootstrap = yaml.safe_load(open(imports[0]))
        self.assertEqual('Bootstrap nova API databases', bootstrap[0]['name'])

    def test_written_nova_playbook_rolls_and_narrows(self):
        written = site_pass.write(
            self.run_dir, self.upgrade_plan.site_pass,
            lambda change: generator.rolled_plays(self.upgrade_plan, change))
        site = yaml.safe_load(open(written.site[0]))
        nova_import = [play['import_playbook'] for play in site
                       if 'import_playbook' in play
                       and 'nova' in play['import_playbook']]
        self.assertEqual(self.run_dir, os.path.dirname(nova_import[0]))
        plays = yaml.safe_load(open(nova_import[0]))
        names = [play['name'] for play in plays]
        self.assertNotIn('Bootstrap nova API databases', names)
        reload_at = names.index('Reload global Nova API services')
        self.assertEqual(
            ['zdu | site pass | Reload global Nova API services | rolling '
             '| %s' % host for host in ('control01', 'control02',
                                        'control03')],
            names[reload_at - 3:reload_at])
        self.assertEqual(['nova-api', 'nova-scheduler', '&enable_nova_True',
                          '!control01', '!control02', '!control03'],
                         plays[reload_at]['hosts'])

    def test_every_role_is_changed_or_named_as_written(self):
        site_plan = self.upgrade_plan.site_pass
        changed, applied = set(), set()
        for playbook in self.service_map.site_playbooks:
            for play in playbook.plays:
                applied.update(play.applied_roles)
                if site_plan.change_of(playbook.path, play.index):
                    changed.update(play.applied_roles)
        self.assertGreater(len(applied), 40)
        self.assertEqual(set(), applied - changed
                         - set(site_plan.as_written))
        for role in ('rabbitmq', 'mariadb', 'cron', 'kolla_toolbox'):
            self.assertIn(role, site_plan.as_written)
        for role in ('heat', 'keystone', 'horizon', 'memcached'):
            self.assertIn(role, changed)
            self.assertNotIn(role, site_plan.as_written)
        text = render.as_table(self.upgrade_plan)
        self.assertIn('roles whose plays run as written', text)
        self.assertIn('rabbitmq', text.split('roles whose plays run')[1])

    def test_no_fronted_container_restarts_outside_the_batches(self):
        """Walk every play of kolla's site.yml, and what it imports.

        A play that still runs (as written, narrowed, or the rest of a
        rolled play) restarts no container of an upgraded unit on the
        unit's hosts, through its own tasks or by applying the role.
        """
        units = {sp.project: sp for sp in self.upgrade_plan.services
                 if sp.batches}
        site_plan = self.upgrade_plan.site_pass
        checked = 0
        for playbook in self.service_map.site_playbooks:
            for play in playbook.plays:
                if play.imports:
                    continue
                change = site_plan.change_of(playbook.path, play.index)
                if change and change.decision in (plan.SITE_SKIP,
                                                  plan.SITE_FIRST):
                    continue
                runs_on = self.hosts_of(play.hosts) - set(
                    change.excluded if change else ())
                # Applying the role may restart any of its containers;
                # a restarting task, the ones it names.
                roles = set(play.roles) | {
                    r.role for r in play.restarts if r.role in units
                    and any(r.restarts(m.service)
                            for m in units[r.role].members)}
                for role in roles & set(units):
                    checked += 1
                    self.assertEqual(
                        set(), runs_on & set(units[role].hosts),
                        '%s: play "%s" restarts %s on %s' % (
                            playbook.path, play.name, role,
                            sorted(runs_on & set(units[role].hosts))))
        self.assertGreater(checked, 3)
