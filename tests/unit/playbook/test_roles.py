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
"""The plugin's roles run by ansible-playbook, with stub modules.

The playbook is generated from a plan, as a run does, and ansible-playbook
runs it on hosts that are all this machine. The stubs in ``stubs/`` stand
for HAProxy, kolla_container and the readiness module, and record each
call, so a test reads what the run did, step by step, and compares it with
the plan.
"""

import dataclasses
import json
import os
import socket
import subprocess
import sys

import yaml

from kolla_zdu_plugin.planning import plan
from kolla_zdu_plugin.playbook import generator
from kolla_zdu_plugin.playbook import workspace
from kolla_zdu_plugin.servicemap import model
from tests.unit import base
from tests.unit.playbook import test_generator

STUBS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'stubs')
HOSTS = ('ctl1', 'ctl2')
# What the run does for each action of the plan, as the stubs record it.
RECORDED_AS = {
    plan.DRAIN: ('zdu_haproxy', 'drain'),
    plan.WAIT_DRAINED: ('zdu_haproxy', 'wait_drained'),
    plan.RECREATE: ('kolla_container', 'recreate_or_restart_container api'),
    plan.WAIT_READY: ('zdu_wait_ready', None),
    plan.READY: ('zdu_haproxy', 'ready'),
    plan.HOLD: ('zdu_haproxy', 'drain'),
    plan.RELEASE: ('zdu_haproxy', 'ready'),
}


class RoleRun(object):
    """One generated playbook run by ansible-playbook on stubs."""

    def __init__(self, test, strategy, fail=(), globals_yml=None,
                 missing=(), database_steps=(), config_name='etc',
                 loadbalancer=None, vip_holder='', serial_roles=(),
                 **overrides):
        self.test = test
        self.vip_holder = vip_holder
        self.config_name = config_name
        self.missing = missing
        self.globals = globals_yml or {'kolla_action': 'upgrade'}
        if 'serial_roles_options' in overrides:
            overrides['serial_roles'] = overrides.pop('serial_roles_options')
        conf = test.make_conf(zdu=dict({'strategy': strategy},
                                       **overrides.pop('zdu', {})),
                              **overrides)
        service = dataclasses.replace(
            base.make_service('api', hosts=HOSTS,
                              loadbalancers=('lb1', 'lb2'),
                              database_steps=database_steps),
            port_vars=('api_listen_port',),
            role_containers=(
                model.Container(service='api', name='api', hosts=HOSTS),
                model.Container(service='api-worker', name='api_worker',
                                hosts=HOSTS)))
        self.plan = test_generator._plan(conf, service,
                                         loadbalancer=loadbalancer,
                                         serial_roles=serial_roles)
        self.run_dir = os.path.join(test.config_dir, 'run')
        os.makedirs(self.run_dir)
        self._lay_out()
        with open(os.path.join(self.run_dir, 'plan.json'), 'w') as stream:
            json.dump(self.plan.to_dict(), stream)
        self.playbook = generator.write(
            self.run_dir, generator.build(self.plan, conf, []),
            generator.run_vars(self.plan, conf))
        self.log = os.path.join(self.run_dir, 'calls.jsonl')
        self.code, self.output = self._run(fail)
        with open(self.log) as stream:
            self.calls = [json.loads(line) for line in stream]

    def _lay_out(self):
        ours = workspace.plugin_ansible_dir()
        for name in ('library', 'module_utils'):
            os.symlink(os.path.join(ours, name),
                       os.path.join(self.run_dir, name))
        actions = os.path.join(self.run_dir, 'action_plugins')
        os.makedirs(actions)
        for source in (os.path.join(STUBS, 'action_plugins'),
                       os.path.join(ours, 'action_plugins')):
            for name in os.listdir(source):
                if not os.path.lexists(os.path.join(actions, name)):
                    os.symlink(os.path.join(source, name),
                               os.path.join(actions, name))
        roles = os.path.join(self.run_dir, 'roles')
        os.makedirs(roles)
        for source in (os.path.join(ours, 'roles'),
                       os.path.join(STUBS, 'roles')):
            for name in os.listdir(source):
                os.symlink(os.path.join(source, name),
                           os.path.join(roles, name))
        config = os.path.join(self.run_dir, self.config_name)
        os.makedirs(os.path.join(config, 'api'))
        # Each host but the first has a configuration directory of its
        # own, as real hosts do, so that batches on several hosts at once
        # never race on one directory; config() reads the first host's.
        lines = [HOSTS[0]]
        for host in HOSTS[1:]:
            own = '%s-%s' % (config, host)
            os.makedirs(os.path.join(own, 'api'))
            lines.append('%s node_config_directory=%s'
                         % (host, json.dumps(own)))
        with open(os.path.join(self.run_dir, 'inventory'), 'w') as stream:
            stream.write('[all]\n%s\n[all:vars]\nansible_connection=local\n'
                         'ansible_python_interpreter=%s\n'
                         % ('\n'.join(lines + ['lb1', 'lb2']),
                            sys.executable))
        # As kolla-ansible's group_vars/all, which a run may override.
        os.makedirs(os.path.join(self.run_dir, 'group_vars'))
        with open(os.path.join(self.run_dir, 'group_vars', 'all.yml'),
                  'w') as stream:
            yaml.safe_dump({
                'kolla_action': 'upgrade',
                'node_config_directory': config,
                'docker_graceful_timeout': 60,
                'docker_common_options': {
                    'graceful_timeout': '{{ docker_graceful_timeout }}'},
                'kolla_container_engine': 'docker',
                'api_interface_address': '127.0.0.1',
                'api_listen_port': 8080,
                'api_services': {
                    'api': {
                        'container_name': 'api', 'image': 'registry/api:2',
                        'volumes': [
                            '{{ node_config_directory }}/api/:/etc/api/:ro',
                            '']},
                    'api-worker': {
                        'container_name': 'api_worker',
                        'image': 'registry/api-worker:2',
                        'volumes': []}},
            }, stream)
        with open(os.path.join(self.run_dir, 'globals.yml'), 'w') as stream:
            yaml.safe_dump(self.globals, stream)

    def _run(self, fail):
        env = dict(os.environ, ZDU_STUB_LOG=os.path.join(self.run_dir,
                                                         'calls.jsonl'),
                   ZDU_STUB_FAIL=','.join(fail),
                   ZDU_STUB_MISSING=','.join(self.missing),
                   ZDU_STUB_VIP_HOLDER=self.vip_holder,
                   PATH=os.path.join(STUBS, 'bin') + os.pathsep
                   + os.environ.get('PATH', ''),
                   ANSIBLE_HOST_KEY_CHECKING='False',
                   ANSIBLE_RETRY_FILES_ENABLED='False',
                   ANSIBLE_FORKS='10')
        open(env['ZDU_STUB_LOG'], 'a').close()
        command = [os.path.join(os.path.dirname(sys.executable),
                                'ansible-playbook'),
                   '-i', os.path.join(self.run_dir, 'inventory'),
                   '-e', '@' + os.path.join(self.run_dir, 'globals.yml'),
                   '-e', '%s=%s' % (generator.RUN_DIR, self.run_dir),
                   self.playbook]
        done = subprocess.run(command, env=env, cwd=self.run_dir,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True,
                              timeout=300)
        return done.returncode, done.stdout

    def service_calls(self):
        """Return the calls after the pre-flight and converge plays."""
        calls = list(self.calls)
        first = next(i for i, call in enumerate(calls)
                     if call['action'] == 'kolla_container_facts')
        return [call for call in calls[first:]
                if call['action'] != 'kolla_container_facts'
                and not (call['action'] == 'zdu_haproxy'
                         and call['key'] == 'check')]

    def calls_for(self, host):
        """Return ``(action, key)`` of the service calls made for ``host``."""
        return [(call['action'], call['key'])
                for call in self.service_calls() if call['for'] == host]

    def config(self, *parts):
        with open(os.path.join(self.run_dir, self.config_name,
                               *parts)) as stream:
            return stream.read().strip()


def _compact(calls):
    """Fold the calls of one step on several loadbalancers into one."""
    folded = []
    for call in calls:
        entry = (call['action'], call['key'], call['for'])
        if call['action'] == 'zdu_haproxy':
            entry += (tuple(call['args'].get('servers') or ()),)
        if not folded or folded[-1] != entry:
            folded.append(entry)
    return folded


class RoleTestCase(base.TestCase):

    def assert_succeeded(self, run):
        self.assertEqual(0, run.code, run.output[-4000:])

    def test_rolling_runs_the_plan_step_by_step(self):
        run = RoleRun(self, 'rolling')
        self.assert_succeeded(run)
        expected = []
        for step in run.plan.services[0].steps:
            action, key = RECORDED_AS[step.action]
            entry = (action, key or '8080', step.host)
            if action == 'zdu_haproxy':
                entry += (step.servers,)
            expected.append(entry)
        self.assertEqual(expected, _compact(run.service_calls()))
        lbs = [call['host'] for call in run.service_calls()
               if call['key'] == 'drain']
        self.assertEqual(['lb1', 'lb2'] * len(HOSTS), lbs)
        self.assertEqual('8080', run.config('api', 'port'))
        self.assertFalse(os.path.exists(os.path.join(
            run.run_dir, 'etc', 'api.zdu-previous')))

    def test_readiness_failure_rolls_back_and_stops(self):
        run = RoleRun(self, 'rolling', fail=['zdu_wait_ready:ctl1:8080'])
        self.assertNotEqual(0, run.code)
        self.assertIn('rolled back to registry/api:1', run.output)
        self.assertNotIn('which did not pass readiness', run.output)
        ctl1 = [(c['action'], c['key'], c['args'].get('image'))
                for c in run.service_calls() if c['for'] == 'ctl1'
                and c['action'] != 'zdu_haproxy']
        self.assertEqual([
            ('kolla_container', 'recreate_or_restart_container api',
             'registry/api:2'),
            ('zdu_wait_ready', '8080', None),
            ('kolla_container', 'recreate_or_restart_container api',
             'registry/api:1'),
            ('kolla_container', 'recreate_or_restart_container api_worker',
             'registry/api:1'),
            ('zdu_wait_ready', '8080', None)], ctl1)
        ops = [c['key'] for c in run.service_calls()
               if c['for'] == 'ctl1' and c['action'] == 'zdu_haproxy']
        self.assertEqual(['drain', 'wait_drained', 'ready'],
                         sorted(set(ops), key=ops.index))
        self.assertEqual([], [c for c in run.service_calls()
                              if c['for'] == 'ctl2'])

    def test_failed_roll_back_keeps_the_host_drained(self):
        run = RoleRun(self, 'rolling',
                      fail=['zdu_wait_ready:ctl2:8080:2'])
        self.assertNotEqual(0, run.code)
        self.assertIn('which did not pass readiness either; the host was '
                      'left drained until the next run', run.output)
        ops = [c['key'] for c in run.service_calls()
               if c['for'] == 'ctl2' and c['action'] == 'zdu_haproxy']
        self.assertIn('keep', ops)
        self.assertNotIn('ready', ops)
        self.assertTrue(os.path.isdir(os.path.join(
            run.run_dir, 'etc-ctl2', 'api.zdu-previous')))

    def test_no_roll_back_when_disabled_leaves_the_host_drained(self):
        run = RoleRun(self, 'rolling', fail=['zdu_wait_ready:ctl1:8080'],
                      zdu={'rollback_on_failure': False})
        self.assertNotEqual(0, run.code)
        self.assertIn('not rolled back ([zdu] rollback_on_failure is '
                      'false); the host was left drained', run.output)
        ctl1 = run.calls_for('ctl1')
        self.assertNotIn(('zdu_haproxy', 'ready'), ctl1)
        self.assertIn(('zdu_haproxy', 'keep'), ctl1)
        self.assertEqual(1, ctl1.count(
            ('kolla_container', 'recreate_or_restart_container api')))

    def test_drain_failing_on_one_haproxy_puts_the_others_back(self):
        run = RoleRun(self, 'rolling', fail=['zdu_haproxy:lb2:drain'])
        self.assertNotEqual(0, run.code)
        self.assertIn("It was not changed: the failure came before kolla's "
                      "container was recreated; the host was put back in "
                      "service", run.output)
        self.assertNotIn('keep', [c['key'] for c in run.service_calls()])
        ready = [c['host'] for c in run.service_calls()
                 if c['for'] == 'ctl1' and c['key'] == 'ready']
        self.assertEqual(['lb1', 'lb2'], ready)

    def test_buffer_restarts_every_host_inside_one_hold(self):
        run = RoleRun(self, 'buffer')
        self.assert_succeeded(run)
        calls = _compact(run.service_calls())
        haproxy = [c[1] for c in calls if c[0] == 'zdu_haproxy']
        self.assertEqual(['drain', 'wait_drained', 'maint', 'ready'],
                         haproxy)
        maint = [c[0] for c in calls].index('zdu_haproxy', 2)
        restarts = [i for i, c in enumerate(calls)
                    if c[1] == 'recreate_or_restart_container api']
        ready = [i for i, c in enumerate(calls) if c[1] == 'ready']
        self.assertEqual(len(HOSTS), len(restarts))
        self.assertTrue(maint < restarts[0] and restarts[-1] < ready[0])
        self.assertEqual(sorted(HOSTS), sorted(
            calls[i][2] for i in restarts))

    def test_parallel_starts_the_new_version_on_moved_ports(self):
        run = RoleRun(self, 'parallel')
        self.assert_succeeded(run)
        ctl1 = run.calls_for('ctl1')
        self.assertEqual([
            ('kolla_container', 'start_container api_zdu_next'),
            ('zdu_wait_ready', '28080'),
            ('zdu_haproxy', 'add'), ('zdu_haproxy', 'drain'),
            ('zdu_haproxy', 'wait_drained'),
            ('kolla_container', 'recreate_or_restart_container api'),
            ('zdu_wait_ready', '8080'), ('zdu_haproxy', 'ready'),
            ('zdu_haproxy', 'drain'), ('zdu_haproxy', 'wait_drained'),
            ('zdu_haproxy', 'ready'), ('zdu_haproxy', 'delete'),
            ('kolla_container', 'stop_and_remove_container api_zdu_next')],
            [c for i, c in enumerate(ctl1) if i == 0 or c != ctl1[i - 1]])
        add = [c for c in run.service_calls() if c['key'] == 'add'][0]
        self.assertEqual({'api_back/ctl1_zdu_next': 28080},
                         add['args']['new_servers'])
        self.assertEqual('127.0.0.1', add['args']['address'])
        self.assertEqual('8080', run.config('api', 'port'))
        start = [c for c in run.service_calls()
                 if c['key'] == 'start_container api_zdu_next'][0]
        self.assertIn('%s/zdu-next/api/:/etc/api/:ro'
                      % os.path.join(run.run_dir, 'etc'),
                      start['args']['volumes'])
        self.assertFalse(os.path.exists(os.path.join(
            run.run_dir, 'etc', 'zdu-next')))

    def test_cutover_swaps_every_host_under_one_hold(self):
        run = RoleRun(self, 'auto',
                      zdu={'mixed_version_unsafe_services': ['api']})
        self.assert_succeeded(run)
        calls = _compact(run.service_calls())
        keys = [c[1] for c in calls]
        last_start = max(i for i, k in enumerate(keys)
                         if k == 'start_container api_zdu_next')
        maint = keys.index('maint')
        first_add = keys.index('add')
        first_kolla = keys.index('recreate_or_restart_container api')
        self.assertTrue(last_start < maint < first_add < first_kolla)
        keep = keys.index('keep')
        self.assertTrue(first_add < keep < first_kolla)
        self.assertEqual(['api_back/ctl1', 'api_back/ctl2'],
                         sorted(calls[keep][3]))
        old_ready = [i for i, c in enumerate(calls)
                     if c[1] == 'ready' and c[3] and
                     not c[3][0].endswith('_zdu_next')]
        self.assertTrue(all(i > first_kolla for i in old_ready))
        self.assertEqual(sorted(HOSTS), sorted(
            {c[2] for c in calls if c[1] == 'delete'}))

    def test_graceful_stop_timeout_holds_for_the_batch_only(self):
        run = RoleRun(self, 'rolling', fail=['zdu_wait_ready:ctl1:8080'],
                      drain={'graceful_stop_timeout': 7})
        self.assertNotEqual(0, run.code)
        timeouts = [(c['args'].get('image'),
                     c['args']['common_options']['graceful_timeout'])
                    for c in run.service_calls() if c['for'] == 'ctl1'
                    and c['key'] == 'recreate_or_restart_container api']
        # kolla's handler stops with the batch's timeout; the roll-back,
        # after the batch's kolla role, with kolla's own.
        self.assertEqual([('registry/api:2', 7), ('registry/api:1', 60)],
                         timeouts)

    def test_graceful_stop_timeout_refused_when_globals_set_it(self):
        run = RoleRun(self, 'rolling', drain={'graceful_stop_timeout': 7},
                      globals_yml={'kolla_action': 'upgrade',
                                   'docker_graceful_timeout': 30})
        self.assertNotEqual(0, run.code)
        self.assertIn('unset [drain] graceful_stop_timeout', run.output)
        self.assertEqual([], [c for c in run.service_calls()
                              if c['action'] == 'kolla_container'
                              and c['args'].get('image') == 'registry/api:2'])

    def test_parallel_refuses_a_port_variable_set_in_globals(self):
        run = RoleRun(self, 'parallel',
                      globals_yml={'kolla_action': 'upgrade',
                                   'api_listen_port': 8080})
        self.assertNotEqual(0, run.code)
        self.assertIn('one of them is given with -e or in globals.yml',
                      run.output)
        self.assertEqual([], [c for c in run.service_calls()
                              if c['key'] == 'start_container api_zdu_next'])
        self.assertIn('stop_and_remove_container api_zdu_next',
                      [c['key'] for c in run.service_calls()])

    def test_roll_back_leaves_a_container_that_did_not_exist(self):
        run = RoleRun(self, 'rolling', fail=['zdu_wait_ready:ctl1:8080'],
                      missing=['api_worker'])
        self.assertNotEqual(0, run.code)
        rolled = [c['key'] for c in run.service_calls()
                  if c['for'] == 'ctl1'
                  and c['args'].get('image') == 'registry/api:1']
        self.assertEqual(['recreate_or_restart_container api'], rolled)

    def test_no_roll_back_onto_a_contracted_schema(self):
        steps = (model.DatabaseStep('Init', 'expand-migrate', 'ctl1'),
                 model.DatabaseStep('Finish', 'contract', 'ctl2'))
        run = RoleRun(self, 'rolling', fail=['zdu_wait_ready:ctl2:8080'],
                      database_steps=steps)
        self.assertNotEqual(0, run.code)
        self.assertIn("not rolled back (kolla's handlers contracted the "
                      "database schema in this batch", run.output)
        ctl2 = run.calls_for('ctl2')
        self.assertIn(('zdu_haproxy', 'keep'), ctl2)
        self.assertNotIn('registry/api:1', [
            c['args'].get('image') for c in run.service_calls()])

    def test_config_paths_reach_the_shell_quoted(self):
        name = 'etc $(touch injected); x'
        run = RoleRun(self, 'rolling', fail=['zdu_wait_ready:ctl1:8080:2'],
                      config_name=name)
        self.assertNotEqual(0, run.code)
        self.assertTrue(os.path.isdir(os.path.join(
            run.run_dir, name, 'api.zdu-previous')), run.output[-3000:])
        self.assertFalse(os.path.exists(os.path.join(run.run_dir,
                                                     'injected')))


LOADBALANCER = model.LoadBalancer(
    hosts=('lb1', 'lb2'),
    containers=(('haproxy', 'haproxy', 'registry/haproxy:2'),
                ('keepalived', 'keepalived', 'registry/keepalived:2')),
    addresses=('10.0.0.250',), service_configs=('api',))
# What the run does for each step of a loadbalancer batch, on the host
# (and on the peers for hold-vip and release-vip), as the stubs record it.
LOADBALANCER_RECORDED_AS = {
    plan.BRIDGE: [('start_bridge', None)],
    plan.SOFT_STOP: [('soft_stop', None)],
    plan.HOLD_VIP: [('stop_container keepalived', 'peers'),
                    ('anchor', None)],
    plan.RECREATE: [('recreate_or_restart_container haproxy', None),
                    ('recreate_or_restart_container keepalived', None),
                    ('haproxy_config api', None),
                    ('start_container haproxy', None)],
    plan.WAIT_READY: [('wait_listening', None)],
    plan.RETIRE_BRIDGE: [('retire_bridge', None)],
    plan.RELEASE_VIP: [('wait_vip', None), ('release', None),
                       ('start_container keepalived', 'peers')],
}


def _loadbalancer_calls(run):
    return [(call['key'], call['host']) for call in run.calls
            if (call['role'] in ('zdu_loadbalancer', 'loadbalancer')
                or call['key'].startswith('haproxy_config'))
            and call['key'] != 'holds']


class LoadBalancerRoleTestCase(base.TestCase):
    """The zdu_loadbalancer role carries each batch out as planned."""

    def expected(self, run, holder):
        expected = []
        for batch in run.plan.loadbalancer.batches:
            host = batch.hosts[0]
            for step in batch.steps:
                if step.action in (plan.HOLD_VIP, plan.RELEASE_VIP) \
                        and host != holder:
                    continue
                for key, where in LOADBALANCER_RECORDED_AS[step.action]:
                    targets = step.loadbalancers if where else (host,)
                    expected.extend((key, target) for target in targets)
        return expected

    def test_each_host_in_turn_the_vip_held_only_on_its_holder(self):
        run = RoleRun(self, 'rolling', loadbalancer=LOADBALANCER,
                      vip_holder='lb2')
        self.assertEqual(0, run.code, run.output[-4000:])
        self.assertEqual(self.expected(run, 'lb2'), _loadbalancer_calls(run))
        names = [line for line in run.output.splitlines()
                 if line.startswith('PLAY [')]
        first_service = next(i for i, name in enumerate(names)
                             if 'zdu | api |' in name)
        self.assertIn('zdu | loadbalancer | handoff | lb2',
                      names[first_service - 1])

    def test_a_failed_recreate_gives_the_vip_back_and_keeps_the_bridge(self):
        run = RoleRun(self, 'rolling', loadbalancer=LOADBALANCER,
                      vip_holder='lb1', fail=[
                          'kolla_container:lb1:recreate_or_restart_container'
                          ' keepalived'])
        self.assertNotEqual(0, run.code)
        calls = _loadbalancer_calls(run)
        self.assertEqual([('wait_vip', 'lb1'), ('release', 'lb1'),
                          ('start_container keepalived', 'lb2')],
                         calls[-3:])
        self.assertNotIn(('retire_bridge', 'lb1'), calls)
        self.assertFalse([call for call in calls if call[1] == 'lb2'
                          and call[0] != 'start_container keepalived'
                          and call[0] != 'stop_container keepalived'])


def _memcached(port):
    return model.SerialRole(
        role='memcached', group='memcached', hosts=HOSTS,
        containers=(('memcached', 'memcached', 'registry/memcached:2'),),
        port=port, addresses=tuple((host, '127.0.0.1') for host in HOSTS))


class SerialRoleRoleTestCase(base.TestCase):
    """The zdu_serial_role role applies kolla's role one host at a time."""

    def listening_port(self):
        listener = socket.socket()
        listener.bind(('127.0.0.1', 0))
        listener.listen(16)
        self.addCleanup(listener.close)
        return listener.getsockname()[1]

    def memcached_calls(self, run):
        return [(call['key'], call['host']) for call in run.calls
                if call['role'] == 'memcached']

    def play_names(self, run):
        return [line for line in run.output.splitlines()
                if line.startswith('PLAY [')]

    def test_each_host_in_turn_before_the_services(self):
        run = RoleRun(self, 'rolling',
                      serial_roles=[_memcached(self.listening_port())],
                      serial_roles_options={'settle_time': 0})
        self.assertEqual(0, run.code, run.output[-4000:])
        self.assertEqual(
            [('recreate_or_restart_container memcached', host)
             for host in HOSTS], self.memcached_calls(run))
        names = self.play_names(run)
        serial = [i for i, name in enumerate(names)
                  if 'zdu | memcached | serial |' in name]
        first_service = next(i for i, name in enumerate(names)
                             if 'zdu | api |' in name)
        self.assertEqual(2, len(serial))
        self.assertLess(max(serial), first_service)

    def test_a_host_that_does_not_listen_stops_the_run_there(self):
        probe = socket.socket()
        probe.bind(('127.0.0.1', 0))
        unused = probe.getsockname()[1]
        probe.close()
        run = RoleRun(self, 'rolling', serial_roles=[_memcached(unused)],
                      serial_roles_options={'settle_time': 0,
                                            'ready_timeout': 1})
        self.assertNotEqual(0, run.code)
        self.assertEqual([('recreate_or_restart_container memcached',
                           HOSTS[0])], self.memcached_calls(run))
        self.assertIn('memcached on %s does not listen on 127.0.0.1:%d'
                      % (HOSTS[0], unused), run.output)
        self.assertFalse([name for name in self.play_names(run)
                          if 'zdu | api |' in name])
