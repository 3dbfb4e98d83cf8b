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
"""The generated playbook: thin plays that apply the plugin's roles."""

import dataclasses
import os

from ansible.parsing import dataloader
from ansible import template
import yaml

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.planning import plan
from kolla_zdu_plugin.planning import planner
from kolla_zdu_plugin.playbook import generator
from kolla_zdu_plugin.playbook import loadbalancer_plays
from kolla_zdu_plugin.playbook import serial_role_plays
from kolla_zdu_plugin.playbook import workspace
from kolla_zdu_plugin.servicemap import builder
from kolla_zdu_plugin.servicemap import deployment
from kolla_zdu_plugin.servicemap import model
from kolla_zdu_plugin.strategies import loader
from tests.unit import base

ROLES_DIR = os.path.join(workspace.plugin_ansible_dir(), 'roles')
# What a play of the generated playbook may hold: where it runs, how, and
# the roles it applies; never a task.
PLAY_KEYS = {'name', 'hosts', 'gather_facts', 'any_errors_fatal',
             'vars_files', 'module_defaults', 'roles'}


def _plan(conf, *services, loadbalancer=None, serial_roles=()):
    service_map = model.ServiceMap(services=tuple(services),
                                   loadbalancers=('lb1', 'lb2'),
                                   loadbalancer=loadbalancer,
                                   serial_roles=tuple(serial_roles))
    upgrade_plan = planner.make_plan(service_map, conf,
                                     loader.StrategyRegistry(conf))
    generator.check(upgrade_plan)
    return upgrade_plan


def _multinode(test, site_playbooks, **overrides):
    """Plan and build kolla-ansible's multinode inventory, checked."""
    conf = test.make_conf(**overrides)
    target = deployment.Deployment([base.MULTINODE], test.config_dir, ())
    service_map = builder.ServiceMapBuilder(target).build()
    upgrade_plan = planner.make_plan(service_map, conf,
                                     loader.StrategyRegistry(conf))
    generator.check(upgrade_plan)
    return upgrade_plan, generator.build(upgrade_plan, conf, site_playbooks)


def _refused_when_swapped(test, one_host_plan, check):
    """Swap the first two steps of the first batch; return check's refusal.

    :param one_host_plan: a plan of one-host batches (``batches``).
    """
    batch = one_host_plan.batches[0]
    swapped = plan.Batch(hosts=batch.hosts, mechanism=batch.mechanism,
                         steps=(batch.steps[1], batch.steps[0])
                         + batch.steps[2:])
    with test.assertRaises(exceptions.PreflightError) as caught:
        check(dataclasses.replace(one_host_plan, batches=(swapped,)))
    return str(caught.exception)


def _roles(playbook):
    return [play['roles'][0] for play in playbook if 'roles' in play]


class ThinPlaybookTestCase(base.TestCase):
    """On kolla-ansible's multinode inventory, every service planned."""

    def multinode_playbook(self, **overrides):
        return _multinode(self, ['/x/site.yml'], **overrides)

    def assert_thin(self, playbook):
        for play in playbook:
            if 'import_playbook' in play:
                self.assertEqual({'import_playbook'}, set(play))
                continue
            self.assertLessEqual(set(play), PLAY_KEYS, play['name'])
            self.assertEqual(1, len(play['roles']), play['name'])
            role = play['roles'][0]['role']
            self.assertTrue(os.path.isdir(os.path.join(ROLES_DIR, role)),
                            role)
            for name in play['roles'][0]:
                self.assertTrue(name == 'role' or name.startswith(
                    role + '_'), '%s of %s' % (name, role))

    def test_every_play_applies_a_role_with_vars_and_no_task(self):
        # A parallel upgrade starts one temporary container, so the roles
        # with several fronted services roll.
        rolling = {name: 'rolling' for name in (
            'heat-api', 'heat-api-cfn', 'nova-api', 'nova-metadata')}
        for strategy in ('auto', 'rolling', 'parallel', 'buffer'):
            upgrade_plan, playbook = self.multinode_playbook(
                zdu={'strategy': strategy, 'service_strategies':
                     rolling if strategy == 'parallel' else {}})
            self.assertGreaterEqual(len(upgrade_plan.services), 8)
            self.assert_thin(playbook)
            batches = sum(len(sp.batches) for sp in upgrade_plan.services)
            self.assertEqual(batches, sum(
                1 for role in _roles(playbook)
                if role['role'] == 'zdu_service'), strategy)

    def test_one_play_per_role_and_host_drains_every_fronted_sibling(self):
        target = deployment.Deployment([base.MULTINODE], self.config_dir, ())
        services = builder.ServiceMapBuilder(target).build().services
        for strategy in ('auto', 'rolling'):
            _plan_, playbook = self.multinode_playbook(
                zdu={'strategy': strategy})
            seen = set()
            for play in playbook:
                role = play.get('roles', [{}])[0]
                if role.get('role') != 'zdu_service':
                    continue
                project = role['zdu_service_project']
                for host in play['hosts']:
                    self.assertNotIn((project, host), seen)
                    seen.add((project, host))
                    fronted = sorted(
                        '%s/%s' % (backend.backend_name, server.name)
                        for service in services
                        if service.project == project
                        for backend, server in service.servers_of(host))
                    self.assertEqual(fronted, sorted(
                        role['zdu_service_servers'][host]), (project, host))
            for project in ('heat', 'nova'):
                self.assertEqual(3, len([key for key in seen
                                         if key[0] == project]), project)

    def test_auto_with_a_service_whose_versions_must_not_mix(self):
        upgrade_plan, playbook = self.multinode_playbook(
            zdu={'mixed_version_unsafe_services': [base.KEYSTONE]})
        self.assert_thin(playbook)
        keystone = [role for role in _roles(playbook)
                    if role.get('zdu_service_name') == base.KEYSTONE]
        self.assertEqual(['parallel+buffer'],
                         [r['zdu_service_mechanism'] for r in keystone])

    def test_plays_follow_the_plan(self):
        upgrade_plan, playbook = self.multinode_playbook()
        expected = [(sp.service, batch.hosts)
                    for sp in upgrade_plan.services for batch in sp.batches]
        found = [(role['zdu_service_name'], tuple(play['hosts']))
                 for play in playbook for role in play.get('roles', ())
                 if role['role'] == 'zdu_service']
        self.assertEqual(expected, found)

    def test_order_of_the_plays(self):
        _plan_, playbook = self.multinode_playbook()
        roles = [play.get('roles', [{}])[0].get('role')
                 or play.get('import_playbook') for play in playbook]
        self.assertEqual(['zdu_preflight', 'zdu_converge', 'zdu_preflight'],
                         roles[:3])
        self.assertEqual(['/x/site.yml', 'zdu_verify', 'zdu_summary'],
                         roles[-3:])
        hosts = len(_plan_.loadbalancer.hosts)
        self.assertEqual(['zdu_loadbalancer'] * hosts, roles[3:3 + hosts])
        serial = sum(len(rp.batches) for rp in _plan_.serial_roles)
        self.assertEqual(3, serial)
        self.assertEqual(['zdu_serial_role'] * serial,
                         roles[3 + hosts:3 + hosts + serial])
        self.assertEqual({'zdu_service'}, set(roles[3 + hosts + serial:-3]))


class SerialRolePlaysTestCase(base.TestCase):
    """memcached one host at a time, on kolla-ansible's multinode inventory."""

    def build(self, **overrides):
        return _multinode(self, [], **overrides)

    def serial_plays(self, playbook):
        return [play for play in playbook
                if play['roles'][0]['role'] == 'zdu_serial_role']

    def test_one_play_per_memcached_host_in_inventory_order(self):
        upgrade_plan, playbook = self.build()
        memcached = upgrade_plan.serial_roles[0]
        self.assertEqual('memcached', memcached.role)
        self.assertEqual(('control01', 'control02', 'control03'),
                         memcached.hosts)
        self.assertEqual('memcached', memcached.containers[0][1])
        plays = self.serial_plays(playbook)
        self.assertEqual([[host] for host in memcached.hosts],
                         [play['hosts'] for play in plays])
        for play in plays:
            role = play['roles'][0]
            self.assertEqual('memcached', role['zdu_serial_role_name'])
            self.assertEqual(11211, role['zdu_serial_role_port'])
            self.assertEqual(memcached.address_of(play['hosts'][0]),
                             role['zdu_serial_role_address'])
            self.assertEqual(60, role['zdu_serial_role_ready_timeout'])
            self.assertEqual(360, role['zdu_serial_role_settle_time'])
        self.assertEqual(
            list(serial_role_plays.ROLE_STEPS),
            [step.action for step in memcached.batches[0].steps])

    def test_options_reach_the_steps_and_the_role(self):
        upgrade_plan, playbook = self.build(serial_roles={
            'settle_time': 0, 'ready_timeout': 30})
        role = self.serial_plays(playbook)[0]['roles'][0]
        self.assertEqual(0, role['zdu_serial_role_settle_time'])
        self.assertEqual(30, role['zdu_serial_role_ready_timeout'])

    def test_no_roles_leaves_memcached_to_kolla(self):
        upgrade_plan, playbook = self.build(serial_roles={'roles': []})
        self.assertEqual((), upgrade_plan.serial_roles)
        self.assertFalse(self.serial_plays(playbook))

    def test_an_unknown_role_is_refused_before_planning(self):
        with self.assertRaises(exceptions.ConfigError) as caught:
            self.build(serial_roles={'roles': ['memcached', 'rabbitmq']})
        self.assertIn('[serial_roles] roles', str(caught.exception))
        self.assertIn('rabbitmq', str(caught.exception))

    def test_a_batch_the_role_does_not_carry_out_is_refused(self):
        upgrade_plan, _playbook = self.build()
        role_plan = upgrade_plan.serial_roles[0]
        message = _refused_when_swapped(
            self, role_plan, lambda broken: serial_role_plays.check([broken]))
        self.assertIn('wait-ready, recreate', message)
        self.assertIn(role_plan.batches[0].hosts[0], message)


class LoadBalancerPlaysTestCase(base.TestCase):
    """The loadbalancer's handoff, on kolla-ansible's multinode inventory."""

    def build(self, **overrides):
        return _multinode(self, [], **overrides)

    def test_one_play_per_loadbalancer_host_with_its_peers(self):
        upgrade_plan, playbook = self.build()
        lb = upgrade_plan.loadbalancer
        service_hosts = list(lb.hosts)
        self.assertEqual(service_hosts,
                         [h for play in playbook
                          if play['roles'][0]['role'] == 'zdu_loadbalancer'
                          for h in play['hosts']])
        self.assertEqual(('haproxy', 'keepalived', 'proxysql'),
                         tuple(entry[1] for entry in lb.containers))
        self.assertIn('proxysql is recreated by kolla', lb.notes[0])
        self.assertTrue(lb.addresses)
        for play in playbook:
            role = play['roles'][0]
            if role['role'] != 'zdu_loadbalancer':
                continue
            host = play['hosts'][0]
            self.assertEqual([h for h in service_hosts if h != host],
                             role['zdu_loadbalancer_peers'])
            self.assertEqual(list(lb.addresses),
                             role['zdu_loadbalancer_addresses'])
            self.assertTrue(role['zdu_loadbalancer_migrate_requests'])
            self.assertEqual('_zdu_bridge',
                             role['zdu_loadbalancer_bridge_suffix'])
            self.assertEqual(60, role[
                'zdu_loadbalancer_failover_hold_timeout'])
            self.assertEqual(list(lb.service_configs),
                             role['zdu_loadbalancer_service_configs'])
        # kolla's loadbalancer play renders these services' HAProxy
        # configuration; the handoff does it too.
        self.assertIn(base.KEYSTONE.split('-')[0], lb.service_configs)
        self.assertIn('glance', lb.service_configs)
        self.assertNotIn('aodh', lb.service_configs)
        recreate = [step for step in lb.steps
                    if step.action == plan.RECREATE][0]
        self.assertIn('glance', recreate.detail)
        self.assertIn('with the HAProxy configuration of', recreate.detail)
        converge = [play for play in playbook
                    if play['roles'][0]['role'] == 'zdu_converge'][0]
        self.assertEqual(service_hosts, converge['roles'][0][
            'zdu_converge_loadbalancer']['hosts'])

    def test_options_reach_the_steps_and_the_role(self):
        upgrade_plan, playbook = self.build(loadbalancer={
            'migrate_requests': False, 'failover_hold_timeout': 30,
            'soft_stop_timeout': 300})
        role = [play['roles'][0] for play in playbook
                if play['roles'][0]['role'] == 'zdu_loadbalancer'][0]
        self.assertFalse(role['zdu_loadbalancer_migrate_requests'])
        self.assertEqual(30, role['zdu_loadbalancer_failover_hold_timeout'])
        self.assertEqual(300, role['zdu_loadbalancer_soft_stop_timeout'])
        steps = upgrade_plan.loadbalancer.batches[0].steps
        self.assertEqual(list(loadbalancer_plays.ROLE_STEPS),
                         [step.action for step in steps])
        self.assertNotIn('tcp_migrate_req', steps[0].detail)

    def test_without_handoff_kolla_restarts_the_loadbalancer(self):
        upgrade_plan, playbook = self.build(loadbalancer={'handoff': False})
        self.assertIsNone(upgrade_plan.loadbalancer)
        self.assertFalse([play for play in playbook
                          if play['roles'][0]['role'] == 'zdu_loadbalancer'])

    def test_a_batch_the_role_does_not_carry_out_is_refused(self):
        upgrade_plan, _playbook = self.build()
        lb = upgrade_plan.loadbalancer
        message = _refused_when_swapped(self, lb, loadbalancer_plays.check)
        self.assertIn('soft-stop, bridge', message)
        self.assertIn(lb.batches[0].hosts[0], message)


class BatchVarsTestCase(base.TestCase):

    def test_rolling_one_play_per_host(self):
        conf = self.make_conf(zdu={'strategy': 'rolling'},
                              drain={'timeout': 7},
                              readiness={'timeout': 33})
        upgrade_plan = _plan(conf, base.make_service('api'))
        plays = generator.service_plays(upgrade_plan.services[0])
        self.assertEqual([['ctl1'], ['ctl2'], ['ctl3']],
                         [play['hosts'] for play in plays])
        role = plays[1]['roles'][0]
        self.assertEqual('rolling', role['zdu_service_mechanism'])
        self.assertEqual({'ctl2': ['api_back/ctl2']},
                         role['zdu_service_servers'])
        self.assertEqual({'ctl2': [{'port': 8080, 'path': '/healthcheck'}]},
                         role['zdu_service_readiness'])
        self.assertEqual(['lb1', 'lb2'], role['zdu_service_loadbalancers'])
        self.assertEqual(7, role['zdu_service_drain_timeout'])
        self.assertEqual(33, role['zdu_service_readiness_timeout'])
        self.assertEqual('api_services', role['zdu_service_services_var'])

    def test_parallel_moves_the_port_variables_of_the_next_container(self):
        conf = self.make_conf(zdu={'strategy': 'parallel'},
                              parallel={'port_offset': 20000})
        service = dataclasses.replace(base.make_service('api'),
                                      port_vars=('api_listen_port',))
        role = generator.service_plays(
            _plan(conf, service).services[0])[0]['roles'][0]
        self.assertEqual('api_zdu_next', role['zdu_service_next_container'])
        self.assertEqual({'api_listen_port': 28080},
                         role['zdu_service_next_variables'])
        self.assertEqual(
            {'ctl1': [{'name': 'api_back/ctl1_zdu_next', 'port': 28080}]},
            role['zdu_service_next_servers'])
        self.assertEqual({'ctl1': [{'port': 28080, 'path': '/healthcheck'}]},
                         role['zdu_service_next_readiness'])
        self.assertEqual({'ctl1': [{'port': 8080, 'path': '/healthcheck'}]},
                         role['zdu_service_readiness'])

    def test_buffer_one_play_over_every_host(self):
        conf = self.make_conf(zdu={'strategy': 'buffer'})
        plays = generator.service_plays(
            _plan(conf, base.make_service('api')).services[0])
        self.assertEqual([['ctl1', 'ctl2', 'ctl3']],
                         [play['hosts'] for play in plays])
        role = plays[0]['roles'][0]
        self.assertEqual(['api_back/ctl1', 'api_back/ctl2', 'api_back/ctl3'],
                         role['zdu_service_all_servers'])
        self.assertEqual(['ctl1', 'ctl2', 'ctl3'],
                         sorted(role['zdu_service_readiness']))
        self.assertFalse(role['zdu_service_migrates'])

    def test_database_steps_mark_the_batches_that_migrate(self):
        conf = self.make_conf(zdu={'strategy': 'rolling'})
        service = base.make_service('api', database_steps=(
            model.DatabaseStep('Init', 'expand-migrate', 'ctl1'),
            model.DatabaseStep('Finish', 'contract', 'ctl3')))
        plays = generator.service_plays(_plan(conf, service).services[0])
        self.assertEqual([True, False, True],
                         [p['roles'][0]['zdu_service_migrates']
                          for p in plays])

    def test_a_batch_the_role_does_not_carry_out_is_refused(self):
        conf = self.make_conf(zdu={'strategy': 'rolling'})
        service_plan = _plan(conf, base.make_service('api')).services[0]
        batch = service_plan.batches[0]
        without_readiness = dataclasses.replace(batch, steps=tuple(
            s for s in batch.steps if s.action != plan.WAIT_READY))
        exc = self.assertRaises(
            exceptions.PreflightError, generator.check_batch, service_plan,
            without_readiness)
        self.assertIn('carries out drain, wait-drained, recreate, '
                      'wait-ready, ready', str(exc))
        self.assertIn('host ctl1', str(exc))
        unknown = dataclasses.replace(batch, mechanism='teleport')
        exc = self.assertRaises(
            exceptions.PreflightError, generator.check_batch, service_plan,
            unknown)
        self.assertIn('mechanism "teleport" for service api', str(exc))

    def test_noop_plans_no_play(self):
        conf = self.make_conf(zdu={'strategy': 'noop'})
        upgrade_plan = _plan(conf, base.make_service('api'))
        self.assertEqual([], generator.service_plays(
            upgrade_plan.services[0]))
        playbook = generator.build(upgrade_plan, conf, [])
        self.assertEqual([], [r for r in _roles(playbook)
                              if r['role'] == 'zdu_service'])


class PreflightTestCase(base.TestCase):

    def build(self):
        conf = self.make_conf(zdu={'service_strategies': {
            'web': 'parallel'}})
        upgrade_plan = _plan(conf, base.make_service('api'),
                             base.make_service('web', hosts=('ctl1',)))
        return upgrade_plan, generator.build(upgrade_plan, conf,
                                             ['/x/site.yml'])

    def test_checks_every_server_on_every_loadbalancer(self):
        _plan_, playbook = self.build()
        role = playbook[0]['roles'][0]
        self.assertTrue(playbook[0]['gather_facts'])
        self.assertEqual(['lb1', 'lb2', 'ctl1', 'ctl2', 'ctl3'],
                         playbook[0]['hosts'])
        self.assertEqual(['lb1', 'lb2'], role['zdu_preflight_loadbalancers'])
        self.assertEqual(['api_back/ctl1', 'api_back/ctl2', 'api_back/ctl3',
                          'web_back/ctl1'], role['zdu_preflight_servers'])
        self.assertEqual([], role['zdu_preflight_hold_servers'])

    def test_pulls_images_and_checks_only_parallel_ports(self):
        _plan_, playbook = self.build()
        role = playbook[2]['roles'][0]
        self.assertEqual(['registry/api:2', 'registry/web:2'],
                         [i['image'] for i in role['zdu_preflight_images']])
        self.assertEqual([{'container': 'web_zdu_next', 'ports': [28080],
                           'hosts': ['ctl1']}],
                         role['zdu_preflight_next_containers'])

    def test_converge_removes_leftovers_of_every_service(self):
        _plan_, playbook = self.build()
        role = playbook[1]['roles'][0]
        self.assertEqual(['api_zdu_next', 'web_zdu_next'],
                         [c['container'] for c in
                          role['zdu_converge_next_containers']])

    def test_haproxy_is_reached_through_kollas_container_engine(self):
        _plan_, playbook = self.build()
        for play in playbook:
            if play.get('roles', [{}])[0].get('role') == 'zdu_summary' \
                    or 'import_playbook' in play:
                continue
            self.assertEqual('{{ kolla_container_engine }}',
                             play['module_defaults']['zdu_haproxy']
                             ['container_engine'])

    def test_written_playbook_and_vars_are_plain_yaml(self):
        upgrade_plan, playbook = self.build()
        conf = self.make_conf(haproxy={'out_of_service_lease': 1000})
        settings = generator.run_vars(upgrade_plan, conf)
        path = generator.write(self.config_dir, playbook, settings)
        with open(path) as stream:
            text = stream.read()
        self.assertNotIn('&id', text)
        self.assertEqual(playbook, yaml.safe_load(text))
        with open(os.path.join(self.config_dir, generator.VARS_NAME)) as f:
            written = yaml.safe_load(f)
        self.assertEqual(settings, written)
        self.assertEqual(upgrade_plan.bounds.hold_time,
                         written['zdu_buffer_max_hold_time'])

    def test_a_held_batch_has_the_lease_of_the_hold(self):
        conf = self.make_conf(zdu={'service_strategies': {'web': 'buffer'}},
                              buffer={'max_hold_time': 12})
        upgrade_plan = _plan(conf, base.make_service('api'),
                             base.make_service('web'))
        leases = {role['zdu_service_name']: role['zdu_service_lease']
                  for role in _roles(generator.build(upgrade_plan, conf,
                                                     []))
                  if role['role'] == 'zdu_service'}
        self.assertEqual({'api': upgrade_plan.bounds.lease, 'web': 17},
                         leases)
        self.assertEqual(17, upgrade_plan.to_dict()['bounds']['hold_lease'])


class VerifyRoleTestCase(base.TestCase):

    def test_allows_only_what_was_out_before_the_run(self):
        with open(os.path.join(ROLES_DIR, 'zdu_verify', 'tasks',
                               'main.yml')) as stream:
            assertion = yaml.safe_load(stream)[1]
        that = assertion['ansible.builtin.assert']['that']
        operator_out = assertion['vars']['zdu_verify_operator_out']

        def passes(states, found_out):
            variables = {'zdu_verify_final': {'states': states},
                         'zdu_preflight_found': {'operator_out': found_out}}
            templar = template.Templar(loader=dataloader.DataLoader(),
                                       variables=variables)
            variables['zdu_verify_operator_out'] = templar.template(
                template.trust_as_template(operator_out))
            templar = template.Templar(loader=dataloader.DataLoader(),
                                       variables=variables)
            return templar.template(template.trust_as_template(
                '{{ %s }}' % that))

        states = {'api_back/ctl1': 'UP', 'api_back/ctl2': 'MAINT'}
        self.assertTrue(passes(states, ['api_back/ctl2']))
        self.assertFalse(passes(states, []))
        self.assertFalse(passes(dict(states, **{'api_back/ctl1': 'DRAIN'}),
                                ['api_back/ctl2']))
        self.assertTrue(passes({'api_back/ctl1': 'UP'}, []))


class WorkspaceTestCase(base.TestCase):

    def test_links_kolla_and_plugin_files(self):
        site = os.path.join(base.KOLLA_DIR, 'site.yml')
        workspace.prepare(self.config_dir, base.KOLLA_DIR, site)
        self.assertTrue(os.path.exists(os.path.join(
            self.config_dir, 'action_plugins', 'zdu_haproxy.py')))
        self.assertTrue(os.path.exists(os.path.join(
            self.config_dir, 'library', 'kolla_container.py')))
        self.assertTrue(os.path.exists(os.path.join(
            self.config_dir, 'library', 'zdu_wait_ready.py')))
        self.assertTrue(os.path.isdir(os.path.join(
            self.config_dir, 'roles', 'keystone')))
        self.assertTrue(os.path.isdir(os.path.join(
            self.config_dir, 'roles', 'zdu_service')))
        self.assertEqual(
            os.path.join(base.KOLLA_DIR, 'group_vars'),
            os.readlink(os.path.join(self.config_dir, 'group_vars')))
