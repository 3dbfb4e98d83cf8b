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
"""The fronted services of one kolla role, planned as one unit."""

import dataclasses

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.planning import plan
from kolla_zdu_plugin.planning import planner
from kolla_zdu_plugin.planning import render
from kolla_zdu_plugin.planning import role_units
from kolla_zdu_plugin.playbook import generator
from kolla_zdu_plugin.servicemap import model
from tests.unit import base

HOSTS = ('ctl1', 'ctl2', 'ctl3')


def heat(hosts=HOSTS, cfn_hosts=None, engine_hosts=None):
    """Return heat-api, heat-api-cfn and heat_engine as kolla has them."""
    containers = (
        model.Container('heat-api', 'heat_api', hosts, 'heat-api'),
        model.Container('heat-api-cfn', 'heat_api_cfn', cfn_hosts or hosts,
                        'heat-api-cfn'),
        model.Container('heat-engine', 'heat_engine',
                        engine_hosts or hosts, 'heat-engine'))
    api = dataclasses.replace(base.make_service('heat-api', hosts, 8004),
                              role_containers=containers)
    cfn = dataclasses.replace(
        base.make_service('heat-api-cfn', cfn_hosts or hosts, 8000),
        role_containers=containers)
    return api, cfn


def heat_plan(test, hosts=HOSTS, **overrides):
    conf = test.make_conf(**overrides)
    return planner.make_plan(model.ServiceMap(
        services=heat(hosts) + (base.make_service('keystone', hosts),),
        loadbalancers=('lb1', 'lb2')), conf)


class MergeTestCase(base.TestCase):

    def test_one_unit_per_role(self):
        api, cfn = heat()
        keystone = base.make_service('keystone')
        units = role_units.merge([api, keystone, cfn])
        self.assertEqual([('heat-api', 'heat-api-cfn'), ('keystone',)],
                         [unit.names for unit in units])
        self.assertIs(keystone, units[1])
        unit = units[0]
        self.assertEqual('heat_api', unit.container_name)
        self.assertEqual(['heat_api', 'heat_api_cfn'],
                         [b.name for b in unit.backends])
        self.assertEqual(('heat-api-cfn',),
                         tuple(s.name for s in unit.siblings))

    def test_hosts_are_the_union_in_order(self):
        api, cfn = heat(hosts=('ctl1', 'ctl2'), cfn_hosts=('ctl2', 'ctl3'))
        unit = role_units.merge([api, cfn])[0]
        self.assertEqual(('ctl1', 'ctl2', 'ctl3'), unit.hosts)

    def test_groups_cover_the_role_containers_on_its_hosts(self):
        unit = role_units.merge(heat())[0]
        self.assertEqual(('heat-api', 'heat-api-cfn', 'heat-engine'),
                         unit.groups)
        elsewhere = role_units.merge(heat(engine_hosts=('eng1',)))[0]
        self.assertEqual(('heat-api', 'heat-api-cfn'), elsewhere.groups)

    def test_different_strategies_in_one_role_are_refused(self):
        conf = self.make_conf(zdu={'service_strategies': {
            'heat-api': 'rolling', 'heat-api-cfn': 'buffer'}})
        unit = role_units.merge(heat())[0]
        exc = self.assertRaises(exceptions.ConfigError,
                                role_units.configured_strategy, unit, conf)
        self.assertIn('[zdu] service_strategies in ', str(exc))
        self.assertIn('kolla role heat', str(exc))
        self.assertIn('heat-api: rolling, heat-api-cfn: buffer', str(exc))

    def test_one_override_for_a_member_must_match_the_others(self):
        conf = self.make_conf(zdu={'service_strategies': {
            'heat-api-cfn': 'buffer'}})
        unit = role_units.merge(heat())[0]
        self.assertRaises(exceptions.ConfigError,
                          role_units.configured_strategy, unit, conf)
        conf = self.make_conf(zdu={'service_strategies': {
            'heat-api': 'buffer', 'heat-api-cfn': 'buffer'}})
        self.assertEqual('buffer',
                         role_units.configured_strategy(unit, conf))


class RolePlanTestCase(base.TestCase):

    def test_one_rolling_batch_per_host_drains_every_sibling(self):
        upgrade_plan = heat_plan(self)
        heat_plan_, keystone = upgrade_plan.services
        self.assertEqual(('heat-api', 'heat-api-cfn'),
                         tuple(m.service for m in heat_plan_.members))
        self.assertEqual('auto:rolling', heat_plan_.label)
        self.assertEqual([(host,) for host in HOSTS],
                         [batch.hosts for batch in heat_plan_.batches])
        for batch in heat_plan_.batches:
            host = batch.hosts[0]
            drain = [s for s in batch.steps if s.action == plan.DRAIN][0]
            self.assertEqual(('heat_api_back/%s' % host,
                              'heat_api_cfn_back/%s' % host), drain.servers)
            ready = [s for s in batch.steps if s.action == plan.WAIT_READY]
            self.assertEqual(((8004, '/healthcheck'),
                              (8000, '/healthcheck')), ready[0].targets)
            recreate = [s for s in batch.steps
                        if s.action == plan.RECREATE][0]
            self.assertIn('heat_api with registry/heat-api:2, heat_api_cfn '
                          'with registry/heat-api-cfn:2 (and heat_engine, '
                          'as the role changes them)', recreate.detail)
        self.assertEqual(('keystone',),
                         tuple(m.service for m in keystone.members))

    def test_the_table_names_every_member(self):
        table = render.as_table(heat_plan(self))
        self.assertIn('heat-api, heat-api-cfn (role heat, containers '
                      'heat_api, heat_api_cfn, drained and gated together): '
                      'auto:rolling', table)
        self.assertIn('keystone (keystone, container keystone): '
                      'auto:rolling', table)

    def test_auto_buffers_a_role_with_one_server(self):
        upgrade_plan = heat_plan(self, hosts=('ctl1',))
        unit = upgrade_plan.services[0]
        self.assertEqual('auto:buffer', unit.label)
        self.assertIn('kolla role heat restarts heat-api, heat-api-cfn '
                      'together', unit.reason)
        hold = [s for s in unit.steps if s.action == plan.HOLD][0]
        self.assertEqual(('heat_api_back/ctl1', 'heat_api_cfn_back/ctl1'),
                         hold.servers)
        self.assertEqual('auto:parallel', upgrade_plan.services[1].label)

    def test_auto_buffers_a_role_whose_versions_must_not_mix(self):
        upgrade_plan = heat_plan(self, zdu={
            'mixed_version_unsafe_services': ['heat-api-cfn']})
        self.assertEqual('auto:buffer', upgrade_plan.services[0].label)

    def test_parallel_is_refused_for_a_role_with_siblings(self):
        exc = self.assertRaises(exceptions.ConfigError, heat_plan, self,
                                zdu={'strategy': 'parallel'})
        self.assertIn('heat-api, heat-api-cfn', str(exc))
        self.assertIn('kolla role heat', str(exc))
        self.assertIn('rolling or buffer', str(exc))

    def test_restart_time_is_the_longest_member(self):
        conf = self.make_conf(buffer={'restart_times': {
            'heat-api': 4.0, 'heat-api-cfn': 9.0}})
        unit = role_units.merge(heat())[0]
        self.assertEqual(9.0, planner.facts_for(unit, conf).restart_time)

    def test_every_member_image_is_checked_before_the_run(self):
        conf = self.make_conf()
        upgrade_plan = heat_plan(self)
        plays = generator.preflight(upgrade_plan, conf)
        images = plays[2]['roles'][0]['zdu_preflight_images']
        self.assertEqual(['heat-api', 'heat-api-cfn', 'keystone'],
                         [entry['service'] for entry in images])
