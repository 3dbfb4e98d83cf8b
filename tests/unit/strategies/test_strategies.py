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
from kolla_zdu_plugin.planning import plan
from kolla_zdu_plugin.servicemap import model
from kolla_zdu_plugin.strategies import auto
from kolla_zdu_plugin.strategies import base as strategy_base
from kolla_zdu_plugin.strategies import buffer
from kolla_zdu_plugin.strategies import noop
from kolla_zdu_plugin.strategies import parallel
from kolla_zdu_plugin.strategies import rolling
from tests.unit import base

SAFE = strategy_base.ServiceFacts()
DB = (model.DatabaseStep('Init api database upgrade', 'expand-migrate',
                         'ctl1'),
      model.DatabaseStep('Finish api database upgrade', 'contract', 'ctl3'))


def actions(service_plan):
    return [(step.host, step.action) for step in service_plan.steps]


class RollingTestCase(base.TestCase):

    def test_one_host_at_a_time_inside_database_steps(self):
        conf = self.make_conf(drain={'timeout': 7})
        result = rolling.RollingStrategy(conf).plan_service(
            base.make_service(database_steps=DB), SAFE)
        expected = [('ctl1', plan.DB_EXPAND_MIGRATE)]
        for host in ('ctl1', 'ctl2', 'ctl3'):
            expected += [(host, plan.DRAIN), (host, plan.WAIT_DRAINED),
                         (host, plan.RECREATE), (host, plan.WAIT_READY),
                         (host, plan.READY)]
        expected.append(('ctl3', plan.DB_CONTRACT))
        self.assertEqual(expected, actions(result))
        drain = result.steps[1]
        self.assertEqual(('api_back/ctl1',), drain.servers)
        self.assertEqual(('lb1', 'lb2'), drain.loadbalancers)
        self.assertEqual(7, result.steps[2].window)

    def test_readiness_names_address_port_and_path(self):
        result = rolling.RollingStrategy(self.make_conf()).plan_service(
            base.make_service(), SAFE)
        ready = [s for s in result.steps if s.action == plan.WAIT_READY][0]
        self.assertIn('10.0.0.1:8080 /healthcheck', ready.detail)


class BufferTestCase(base.TestCase):

    def test_all_hosts_restart_inside_one_bounded_hold(self):
        conf = self.make_conf(buffer={'max_hold_time': 9,
                                      'max_held_requests': 50})
        result = buffer.BufferStrategy(conf).plan_service(
            base.make_service(), SAFE)
        steps = actions(result)
        self.assertEqual(('*', plan.HOLD), steps[0])
        self.assertEqual(('*', plan.RELEASE), steps[-1])
        self.assertEqual(3, steps.count(('ctl2', plan.WAIT_READY)) * 3)
        self.assertEqual(9, result.steps[0].window)
        self.assertIn('at most 50 at once', result.steps[0].detail)


class ParallelTestCase(base.TestCase):

    def test_next_container_on_offset_port_then_back_to_canonical(self):
        conf = self.make_conf(parallel={'port_offset': 100})
        result = parallel.ParallelStrategy(conf).plan_service(
            base.make_service(hosts=('ctl1',)), SAFE)
        self.assertEqual(
            [plan.START_NEXT, plan.WAIT_READY, plan.ADD_NEXT, plan.DRAIN,
             plan.WAIT_DRAINED, plan.RECREATE, plan.WAIT_READY, plan.READY,
             plan.REMOVE_NEXT],
            [step.action for step in result.steps])
        self.assertIn('port 8180', result.steps[0].detail)
        self.assertIn('api_zdu_next', result.steps[0].detail)
        self.assertIn('10.0.0.1:8180', result.steps[1].detail)
        self.assertEqual(('api_back/ctl1_zdu_next',), result.steps[2].servers)


class AutoTestCase(base.TestCase):

    def choose(self, service, facts=SAFE, **overrides):
        return auto.AutoStrategy(self.make_conf(**overrides)).plan_service(
            service, facts)

    def test_several_servers_roll(self):
        result = self.choose(base.make_service())
        self.assertEqual(('auto', 'rolling', 'auto:rolling'),
                         (result.strategy, result.chosen, result.label))
        self.assertIn('3 servers', result.reason)

    def test_single_server_runs_parallel(self):
        result = self.choose(base.make_service(hosts=('ctl1',)))
        self.assertEqual(('auto', 'parallel', 'auto:parallel'),
                         (result.strategy, result.chosen, result.label))

    def test_active_passive_counts_one_server(self):
        result = self.choose(base.make_service(active_passive=True))
        self.assertEqual(('auto', 'parallel', 'auto:parallel'),
                         (result.strategy, result.chosen, result.label))

    def test_mixed_unsafe_combines_parallel_and_buffer(self):
        result = self.choose(base.make_service(),
                             zdu={'mixed_version_unsafe_services': ['api']})
        self.assertEqual(('auto', 'parallel+buffer', 'auto:parallel+buffer'),
                         (result.strategy, result.chosen, result.label))
        steps = [step.action for step in result.steps]
        hold = steps.index(plan.HOLD)
        self.assertEqual(3, steps[:hold].count(plan.START_NEXT))
        self.assertEqual(0, steps[:hold].count(plan.ADD_NEXT))
        self.assertLess(hold, steps.index(plan.RELEASE))
        self.assertLess(steps.index(plan.RELEASE), steps.index(plan.RECREATE))

    def test_mixed_unsafe_fast_restart_buffers(self):
        facts = strategy_base.ServiceFacts(mixed_versions_safe=False,
                                           restart_time=3)
        result = self.choose(base.make_service(), facts)
        self.assertEqual(('auto', 'buffer', 'auto:buffer'),
                         (result.strategy, result.chosen, result.label))
        self.assertIn('3.0 s', result.reason)


class NoopTestCase(base.TestCase):

    def test_skips(self):
        result = noop.NoopStrategy(self.make_conf()).plan_service(
            base.make_service(), SAFE)
        self.assertEqual([('*', plan.SKIP)], actions(result))
