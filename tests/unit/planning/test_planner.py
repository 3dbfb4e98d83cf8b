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
from unittest import mock

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.planning import planner
from kolla_zdu_plugin.planning import render
from kolla_zdu_plugin.servicemap import model
from kolla_zdu_plugin.strategies import loader
from tests.unit import base


def service_map(*services):
    return model.ServiceMap(services=services, loadbalancers=('lb1', 'lb2'))


class PlannerTestCase(base.TestCase):

    def test_default_and_override(self):
        conf = self.make_conf(zdu={
            'strategy': 'rolling',
            'service_strategies': {'web': 'parallel'}})
        result = planner.make_plan(
            service_map(base.make_service('api'), base.make_service('web')),
            conf)
        self.assertEqual(['rolling', 'parallel'],
                         [p.strategy for p in result.services])
        self.assertEqual(('lb1', 'lb2'), result.loadbalancers)

    def test_override_of_unknown_service(self):
        conf = self.make_conf(zdu={'service_strategies': {'keystnoe':
                                                          'rolling'}})
        exc = self.assertRaises(exceptions.ConfigError, planner.make_plan,
                                service_map(base.make_service('api')), conf)
        self.assertIn('service_strategies', str(exc))
        self.assertIn('"keystnoe"', str(exc))
        self.assertIn('known services: api', str(exc))

    def test_unknown_strategy_fails_before_planning(self):
        conf = self.make_conf(zdu={'strategy': 'bluegreen'})
        exc = self.assertRaises(exceptions.ConfigError, planner.make_plan,
                                service_map(base.make_service('api')), conf)
        self.assertIn("No zero-downtime strategy named 'bluegreen'", str(exc))
        self.assertIn('[zdu] strategy in ', str(exc))
        self.assertIn('for service api', str(exc))

    def test_unknown_service_strategy_names_its_option(self):
        conf = self.make_conf(zdu={'service_strategies': {'api': 'canary'}})
        exc = self.assertRaises(exceptions.ConfigError, planner.make_plan,
                                service_map(base.make_service('api')), conf)
        self.assertIn('[zdu] service_strategies in ', str(exc))

    def test_each_strategy_is_loaded_once(self):
        conf = self.make_conf(zdu={'strategy': 'auto'})
        services = [base.make_service(name) for name in ('a', 'b', 'c')]
        with mock.patch.object(loader, 'load_strategy',
                               wraps=loader.load_strategy) as load:
            planner.make_plan(service_map(*services), conf)
        self.assertEqual(['auto', 'rolling'],
                         [call.args[0] for call in load.call_args_list])

    def test_mixed_version_unsafe_reaches_auto(self):
        conf = self.make_conf(zdu={'mixed_version_unsafe_services': ['api']})
        result = planner.make_plan(service_map(base.make_service('api')),
                                   conf)
        self.assertEqual('auto:parallel+buffer', result.services[0].label)

    def test_configured_restart_time_lets_auto_buffer_alone(self):
        conf = self.make_conf(
            zdu={'mixed_version_unsafe_services': ['api', 'web']},
            buffer={'restart_times': {'api': 4.5, 'web': 45.0}})
        result = planner.make_plan(
            service_map(base.make_service('api'), base.make_service('web')),
            conf)
        self.assertEqual(['auto:buffer', 'auto:parallel+buffer'],
                         [p.label for p in result.services])
        self.assertIn('4.5 s', result.services[0].reason)

    def test_restart_time_of_unknown_service_is_refused(self):
        conf = self.make_conf(buffer={'restart_times': {'nosuch': 3.0}})
        exc = self.assertRaises(exceptions.ConfigError, planner.make_plan,
                                service_map(base.make_service('api')), conf)
        self.assertIn('[buffer] restart_times', str(exc))
        self.assertIn('"nosuch"', str(exc))

    def test_lease_shorter_than_time_out_of_service_is_refused(self):
        conf = self.make_conf(haproxy={'out_of_service_lease': 30})
        exc = self.assertRaises(exceptions.ConfigError, planner.make_plan,
                                service_map(base.make_service('api')), conf)
        self.assertIn('[haproxy] out_of_service_lease in built-in defaults '
                      'is 30 s, shorter than the 300 s', str(exc))
        self.assertIn('[drain] timeout 60 + [drain] recreate_time 120 + '
                      '[readiness] timeout 120', str(exc))
        self.assertIn('at least 300', str(exc))

    def test_migrations_count_in_the_lease(self):
        steps = (model.DatabaseStep(host='ctl1', phase='expand-migrate',
                                    handler='db'),)
        services = service_map(base.make_service(
            'api', database_steps=steps))
        conf = self.make_conf(haproxy={'out_of_service_lease': 600})
        exc = self.assertRaises(exceptions.ConfigError, planner.make_plan,
                                services, conf)
        self.assertIn('+ [drain] migration_time 600', str(exc))
        conf = self.make_conf(haproxy={'out_of_service_lease': 900})
        result = planner.make_plan(services, conf)
        self.assertEqual((900, True), (result.bounds.lease,
                                       result.bounds.migrates))

    def test_plan_carries_every_bound(self):
        conf = self.make_conf(drain={'timeout': 30},
                              buffer={'max_hold_time': 15})
        result = planner.make_plan(service_map(base.make_service('api')),
                                   conf)
        self.assertEqual(
            {'drain_timeout': 30, 'recreate_time': 120,
             'readiness_timeout': 120, 'migration_time': 600, 'lease': 900,
             'hold_time': 15, 'held_requests': 2000, 'migrates': False,
             'hold_lease': 20},
            result.to_dict()['bounds'])
        self.assertIn('bounds: drain 30 s, recreate 120 s, readiness 120 s; '
                      'out-of-service lease 900 s (a host is out at most '
                      '270 s); hold 15 s, at most 2000 requests (lease of '
                      'held servers 20 s)', render.as_table(result))

    def test_no_loadbalancer_host_is_refused(self):
        services = model.ServiceMap(services=(base.make_service('api'),),
                                    loadbalancers=())
        exc = self.assertRaises(exceptions.ConfigError, planner.make_plan,
                                services, self.make_conf())
        self.assertIn('[haproxy] loadbalancer_group in built-in defaults is '
                      '"loadbalancer", and no host', str(exc))


class GracefulStopTestCase(base.TestCase):

    def test_recreate_sets_kolla_graceful_timeout(self):
        conf = self.make_conf(drain={'graceful_stop_timeout': 90})
        result = planner.make_plan(service_map(base.make_service('api')),
                                   conf)
        recreate = [step for step in result.services[0].steps
                    if step.action == 'recreate']
        self.assertEqual(3, len(recreate))
        for step in recreate:
            self.assertEqual((('docker_graceful_timeout', 90),),
                             step.variables)
            self.assertIn('each stopped within 90 s ([drain] '
                          'graceful_stop_timeout)', step.detail)

    def test_unset_keeps_kolla_value(self):
        result = planner.make_plan(service_map(base.make_service('api')),
                                   self.make_conf())
        step = [step for step in result.services[0].steps
                if step.action == 'recreate'][0]
        self.assertEqual((), step.variables)
        self.assertIn("each stopped within kolla's docker_graceful_timeout",
                      step.detail)

    def test_longer_than_the_recreate_is_refused(self):
        conf = self.make_conf(drain={'graceful_stop_timeout': 200,
                                     'recreate_time': 120})
        exc = self.assertRaises(exceptions.ConfigError, planner.make_plan,
                                service_map(base.make_service('api')), conf)
        self.assertIn('[drain] graceful_stop_timeout in ', str(exc))
        self.assertIn('longer than [drain] recreate_time (120 s)', str(exc))
