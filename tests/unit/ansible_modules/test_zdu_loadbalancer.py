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
"""The ``zdu_loadbalancer`` module's worker, with a fake module and host.

The fake host is a directory laid out as ``/proc`` (``net/tcp``, each
process's ``stat`` and ``fd`` links), a systemd directory, and a fake
container engine and ``ip`` answering through ``run_command``.
"""

import json
import os
import sys
from unittest import mock

import fixtures
import yaml

from tests.unit.ansible_modules import test_zdu_wait_ready as helpers
from tests.unit import base

worker_mod = helpers._load('zdu_loadbalancer', 'module_utils',
                           'zdu_loadbalancer.py')

VIP = '172.30.99.250'
# 172.30.99.250:9797 and 172.30.99.11:1984, as /proc/net/tcp writes them.
VIP_PORT = 'FA631EAC:2645'
STATS_PORT = '0B631EAC:07C0'
TCP_HEADER = ('  sl  local_address rem_address   st tx_queue rx_queue tr '
              'tm->when retrnsmt   uid  timeout inode\n')


class FakeHost(object):
    """Containers, processes, listeners, addresses and systemd units."""

    def __init__(self, root):
        self.root = root
        self.proc = os.path.join(root, 'proc')
        self.systemd = os.path.join(root, 'systemd')
        os.makedirs(os.path.join(self.proc, 'net'))
        os.makedirs(os.path.join(self.proc, 'sys', 'net', 'ipv4'))
        os.makedirs(self.systemd)
        self.write(os.path.join(self.proc, 'sys/net/ipv4/tcp_migrate_req'),
                   '0\n')
        self.containers = {}
        self.listeners = []
        self.next_inode = 1000
        self.addresses = {'eth0': {'172.30.99.11'}, 'lo': {'127.0.0.1'}}
        self.calls = []
        self.exits_on_signal = True
        self.unit_lags = False
        self.on_run = None

    @staticmethod
    def write(path, text):
        with open(path, 'w') as stream:
            stream.write(text)

    def add_container(self, name, pid, image, ports=(VIP_PORT, STATS_PORT),
                      unit=False):
        """A running container: a master and a worker holding listeners."""
        self.containers[name] = {'running': True, 'pid': pid,
                                 'image': image}
        for process, parent in ((pid, 1), (pid + 1, pid)):
            os.makedirs(os.path.join(self.proc, str(process), 'fd'))
            self.write(os.path.join(self.proc, str(process), 'stat'),
                       '%d (haproxy) S %d 0 0\n' % (process, parent))
        for number, port in enumerate(ports):
            self.next_inode += 1
            self.listeners.append((port, str(self.next_inode)))
            os.symlink('socket:[%d]' % self.next_inode, os.path.join(
                self.proc, str(pid + 1), 'fd', str(number + 3)))
        self.write_tcp()
        if unit:
            self.write(os.path.join(
                self.systemd, 'kolla-%s-container.service' % name), '')

    def stop_container(self, name):
        self.containers[name]['running'] = False
        pid = self.containers[name]['pid']
        fd_dir = os.path.join(self.proc, str(pid + 1), 'fd')
        gone = set()
        for link in os.listdir(fd_dir):
            gone.add(os.readlink(os.path.join(fd_dir, link))[8:-1])
            os.remove(os.path.join(fd_dir, link))
        self.listeners = [entry for entry in self.listeners
                          if entry[1] not in gone]
        self.write_tcp()

    def write_tcp(self):
        lines = [TCP_HEADER]
        for number, (port, inode) in enumerate(self.listeners):
            lines.append('%4d: %s 00000000:0000 0A 00000000:00000000 '
                         '00:00000000 00000000     0        0 %s 1 0000 100 '
                         '0 0 10 0\n'
                         % (number, port, inode))
        self.write(os.path.join(self.proc, 'net', 'tcp'), ''.join(lines))

    def run_command(self, argv):
        self.calls.append(list(argv))
        if argv[0] == 'docker':
            return self.engine(argv[1:])
        if argv[0] == 'systemctl':
            if argv[1] == 'show':
                name = argv[-1][len('kolla-'):-len('-container.service')]
                running = self.containers[name]['running']
                if running or self.unit_lags:
                    self.unit_lags = False
                    return 0, 'active\n', ''
                return 0, 'inactive\n', ''
            if argv[1] in ('stop', 'start'):
                name = argv[2][len('kolla-'):-len('-container.service')]
                if argv[1] == 'stop':
                    self.stop_container(name)
                else:
                    self.containers[name]['running'] = True
            return 0, '', ''
        if argv[:2] == ['ip', 'addr'] or argv[:3] == ['ip', '-o', 'addr']:
            return self.ip(argv)
        raise AssertionError('unexpected command %s' % argv)

    def engine(self, args):
        name = args[-1]
        if args[0] == 'inspect':
            container = self.containers.get(name)
            if container is None:
                return 1, '', 'No such container'
            if '.HostConfig.Binds' in args[-2]:
                return 0, '%s\n%s\n%s\n' % (
                    json.dumps(['/etc/kolla/haproxy/:/var/lib/kolla/'
                                'config_files/:ro',
                                'haproxy_socket:/var/lib/kolla/haproxy/:rw']),
                    json.dumps(['KOLLA_SERVICE_NAME=haproxy']),
                    json.dumps([{'Name': 'nofile', 'Soft': 8192,
                                 'Hard': 8192}])), ''
            return 0, '%s %d %s\n' % (
                'true' if container['running'] else 'false',
                container['pid'] if container['running'] else 0,
                container['image']), ''
        if args[0] == 'run':
            bridge = args[args.index('--name') + 1]
            if self.on_run:
                self.on_run(bridge, args[-1])
            return 0, 'id\n', ''
        if args[0] == 'kill':
            if self.exits_on_signal:
                self.stop_container(name)
            return 0, '', ''
        if args[0] == 'rm':
            self.containers.pop(name, None)
            return 0, '', ''
        if args[0] in ('stop', 'start'):
            if args[0] == 'stop':
                self.stop_container(name)
            else:
                self.containers[name]['running'] = True
            return 0, '', ''
        raise AssertionError('unexpected engine call %s' % args)

    def ip(self, argv):
        if argv[1] == '-o':
            interfaces = ([argv[-1]] if 'dev' in argv
                          else sorted(self.addresses))
            lines = ['%d: %s    inet %s/32 scope global %s' % (
                number, interface, address, interface)
                for number, interface in enumerate(interfaces)
                for address in sorted(self.addresses.get(interface, ()))]
            return 0, '\n'.join(lines) + '\n', ''
        action, address, interface = argv[2], argv[3].split('/')[0], argv[5]
        if action == 'add':
            self.addresses.setdefault(interface, set()).add(address)
        else:
            self.addresses[interface].discard(address)
        return 0, '', ''


class FakeModule(helpers.FakeModule):
    def __init__(self, host, check_mode=False, **params):
        self.params = dict(container='haproxy', container_engine='docker',
                           bridge_suffix='_zdu_bridge', signal='USR1',
                           require_bridge=True, migrate_requests=True,
                           addresses=[], anchor_interface='lo', timeout=5.0,
                           poll_interval=0.5)
        self.params.update(params)
        self.check_mode = check_mode
        self.host = host
        self.warnings = []

    def run_command(self, argv):
        return self.host.run_command(argv)

    def warn(self, text):
        self.warnings.append(text)


class LoadbalancerWorkerTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.host = FakeHost(self.useFixture(fixtures.TempDir()).path)
        self.clock = helpers.FakeClock()

    def run_worker(self, check_mode=False, **params):
        module = FakeModule(self.host, check_mode=check_mode, **params)
        worker = worker_mod.LoadbalancerWorker(
            module, clock=self.clock, sleep=self.clock.sleep,
            proc=self.host.proc, systemd_dir=self.host.systemd)
        with self.assertRaises(helpers.Exited) as caught:
            worker.run()
        return caught.exception

    def test_listening_sockets_reads_ipv4_and_ipv6(self):
        self.host.add_container('haproxy', 100, 'haproxy:2026.1')
        self.host.write(os.path.join(self.host.proc, 'net', 'tcp6'),
                        TCP_HEADER + '   0: 00000000000000000000000001000000'
                        ':1F90 00000000000000000000000000000000:0000 0A '
                        '00000000:00000000 00:00000000 00000000 0 0 77 1\n')
        found = worker_mod.listening_sockets(self.host.proc)
        self.assertEqual({'172.30.99.250:9797', '172.30.99.11:1984',
                          '::1:8080'}, set(found.values()))

    def bridge_listens_on_run(self):
        def run(name, image):
            self.assertEqual('haproxy:2026.1', image)
            self.host.add_container(name, 200, image)
        self.host.on_run = run

    def test_start_bridge_runs_it_as_kolla_runs_haproxy(self):
        self.host.add_container('haproxy', 100, 'haproxy:2026.1')
        self.bridge_listens_on_run()
        done = self.run_worker(operation='start_bridge')
        self.assertFalse(done.failed, done.result)
        self.assertTrue(done.result['bridged'])
        self.assertEqual(['172.30.99.11:1984', '172.30.99.250:9797'],
                         done.result['listeners'])
        run = [call for call in self.host.calls if call[1] == 'run'][0]
        self.assertEqual(['--name', 'haproxy_zdu_bridge', '--network',
                          'host'], run[3:7])
        self.assertIn('haproxy_socket:/var/lib/kolla/haproxy/:rw', run)
        self.assertIn('KOLLA_SERVICE_NAME=haproxy', run)
        self.assertIn('nofile=8192:8192', run)
        with open(os.path.join(self.host.proc,
                               'sys/net/ipv4/tcp_migrate_req')) as setting:
            self.assertEqual('1', setting.read().strip())

    def test_start_bridge_fails_when_it_does_not_listen(self):
        self.host.add_container('haproxy', 100, 'haproxy:2026.1')
        self.host.on_run = lambda name, image: self.host.add_container(
            name, 200, image, ports=(STATS_PORT,))
        done = self.run_worker(operation='start_bridge')
        self.assertTrue(done.failed)
        self.assertIn('haproxy_zdu_bridge did not listen on', done.result[
            'msg'])
        self.assertIn('172.30.99.250:9797', done.result['msg'])

    def test_start_bridge_with_nothing_running_changes_nothing(self):
        done = self.run_worker(operation='start_bridge')
        self.assertFalse(done.failed)
        self.assertFalse(done.result['changed'])
        self.assertFalse(done.result['bridged'])
        self.assertFalse([c for c in self.host.calls if c[1] == 'run'])

    def test_soft_stop_refuses_without_a_listening_bridge(self):
        self.host.add_container('haproxy', 100, 'haproxy:2026.1')
        done = self.run_worker(operation='soft_stop')
        self.assertTrue(done.failed)
        self.assertIn('not stopping haproxy', done.result['msg'])
        self.assertTrue(self.host.containers['haproxy']['running'])

    def test_soft_stop_keeps_systemd_from_restarting_it(self):
        self.host.add_container('haproxy', 100, 'haproxy:2026.1', unit=True)
        self.host.add_container('haproxy_zdu_bridge', 200, 'haproxy:2026.1')
        self.host.unit_lags = True
        done = self.run_worker(operation='soft_stop')
        self.assertFalse(done.failed, done.result)
        calls = self.host.calls
        shows = [i for i, c in enumerate(calls)
                 if c[:2] == ['systemctl', 'show']]
        self.assertEqual(2, len(shows), 'the unit was still active once')
        last_reload = max(i for i, c in enumerate(calls)
                          if c == ['systemctl', 'daemon-reload'])
        self.assertGreater(last_reload, shows[-1])
        self.assertFalse(self.host.containers['haproxy']['running'])
        kill = [c for c in self.host.calls if c[1:2] == ['kill']]
        self.assertEqual([['docker', 'kill', '--signal', 'USR1',
                           'haproxy']], kill)
        reloads = [c for c in self.host.calls
                   if c == ['systemctl', 'daemon-reload']]
        self.assertEqual(2, len(reloads))
        self.assertFalse(os.path.exists(os.path.join(
            self.host.systemd, 'kolla-haproxy-container.service.d')))

    def test_soft_stop_that_never_ends_fails_and_allows_restart(self):
        self.host.add_container('haproxy', 100, 'haproxy:2026.1', unit=True)
        self.host.add_container('haproxy_zdu_bridge', 200, 'haproxy:2026.1')
        self.host.exits_on_signal = False
        done = self.run_worker(operation='soft_stop', timeout=3)
        self.assertTrue(done.failed)
        self.assertIn('haproxy did not finish its connections and exit '
                      'within 3', done.result['msg'])
        self.assertFalse(os.path.exists(os.path.join(
            self.host.systemd, 'kolla-haproxy-container.service.d',
            worker_mod.DROP_IN_NAME)))

    def test_retire_bridge_waits_for_kolla_then_removes_it(self):
        self.host.add_container('haproxy_zdu_bridge', 200, 'haproxy:2026.1')
        self.host.add_container('haproxy', 300, 'haproxy:2026.2',
                                ports=(VIP_PORT,))
        done = self.run_worker(operation='retire_bridge')
        self.assertFalse(done.failed, done.result)
        self.assertNotIn('haproxy_zdu_bridge', self.host.containers)
        self.assertEqual(['172.30.99.11:1984'], done.result['dropped'])
        self.assertEqual(['172.30.99.250:9797'], done.result['listeners'])

    def test_retire_bridge_keeps_it_while_kolla_does_not_listen(self):
        self.host.add_container('haproxy_zdu_bridge', 200, 'haproxy:2026.1')
        done = self.run_worker(operation='retire_bridge', timeout=2)
        self.assertTrue(done.failed)
        self.assertIn('haproxy did not listen', done.result['msg'])
        self.assertIn('haproxy_zdu_bridge', self.host.containers)
        self.assertFalse([c for c in self.host.calls if c[1:2] == ['kill']])

    def bridge_serving_alone(self, unit=False):
        """Haproxy stopped, the bridge serving: an interrupted handoff."""
        self.host.add_container('haproxy', 100, 'haproxy:2026.1', unit=unit)
        self.host.stop_container('haproxy')
        self.host.add_container('haproxy_zdu_bridge', 200, 'haproxy:2026.1')

    def test_start_bridge_takes_over_a_bridge_serving_alone(self):
        self.bridge_serving_alone()
        done = self.run_worker(operation='start_bridge')
        self.assertFalse(done.failed, done.result)
        self.assertTrue(done.result['bridged'])
        self.assertFalse(done.result['changed'])
        self.assertEqual(['172.30.99.11:1984', '172.30.99.250:9797'],
                         done.result['listeners'])
        self.assertFalse([c for c in self.host.calls if c[1] == 'run'])

    def test_converge_leaves_a_serving_bridge_to_the_handoff(self):
        self.bridge_serving_alone(unit=True)
        done = self.run_worker(operation='converge_bridge')
        self.assertFalse(done.failed, done.result)
        self.assertTrue(done.result['left_to_handoff'])
        self.assertFalse(done.result['changed'])
        self.assertFalse(self.host.containers['haproxy']['running'])
        self.assertTrue(self.host.containers['haproxy_zdu_bridge'][
            'running'])
        self.assertIn('the handoff of this host recreates haproxy',
                      done.result['msg'])

    def test_converge_starts_haproxy_and_retires_the_bridge(self):
        self.host.add_container('haproxy', 100, 'haproxy:2026.1', unit=True)
        self.host.add_container('haproxy_zdu_bridge', 200, 'haproxy:2026.1')
        done = self.run_worker(operation='converge_bridge')
        self.assertFalse(done.failed, done.result)
        self.assertTrue(done.result['changed'])
        self.assertNotIn('haproxy_zdu_bridge', self.host.containers)
        self.assertTrue(self.host.containers['haproxy']['running'])

    def test_converge_starts_a_stopped_haproxy_without_a_bridge(self):
        self.host.add_container('haproxy', 100, 'haproxy:2026.1', unit=True)
        self.host.stop_container('haproxy')
        done = self.run_worker(operation='converge_bridge', timeout=1)
        self.assertIn(['systemctl', 'start',
                       'kolla-haproxy-container.service'], self.host.calls)
        self.assertTrue(self.host.containers['haproxy']['running'])
        self.assertTrue(done.result['changed'])

    def test_converge_removes_an_exited_bridge(self):
        self.host.add_container('haproxy', 100, 'haproxy:2026.1')
        self.host.add_container('haproxy_zdu_bridge', 200, 'haproxy:2026.1')
        self.host.stop_container('haproxy_zdu_bridge')
        done = self.run_worker(operation='converge_bridge')
        self.assertFalse(done.failed, done.result)
        self.assertNotIn('haproxy_zdu_bridge', self.host.containers)
        self.assertTrue(done.result['changed'])

    def test_converge_with_nothing_left_changes_nothing(self):
        self.host.add_container('haproxy', 100, 'haproxy:2026.1')
        done = self.run_worker(operation='converge_bridge')
        self.assertFalse(done.failed, done.result)
        self.assertFalse(done.result['changed'])

    def test_anchor_wait_and_release_of_the_vip(self):
        self.host.addresses['eth0'].add(VIP)
        held = self.run_worker(operation='holds', addresses=[VIP])
        self.assertTrue(held.result['holds'])
        done = self.run_worker(operation='anchor', addresses=[VIP])
        self.assertTrue(done.result['changed'])
        self.assertIn(VIP, self.host.addresses['lo'])
        add = [c for c in self.host.calls if c[:3] == ['ip', 'addr', 'add']]
        self.assertEqual(['ip', 'addr', 'add', VIP + '/32', 'dev', 'lo',
                          'label', 'lo:zdu'], add[0])
        again = self.run_worker(operation='anchor', addresses=[VIP])
        self.assertFalse(again.result['changed'])
        self.host.addresses['eth0'].discard(VIP)
        held = self.run_worker(operation='holds', addresses=[VIP])
        self.assertFalse(held.result['holds'])
        self.assertEqual([VIP], held.result['anchored'])
        waited = self.run_worker(operation='wait_vip', addresses=[VIP],
                                 timeout=2)
        self.assertTrue(waited.failed)
        self.assertIn('keepalived did not put %s back' % VIP,
                      waited.result['msg'])
        self.host.addresses['eth0'].add(VIP)
        waited = self.run_worker(operation='wait_vip', addresses=[VIP])
        self.assertFalse(waited.failed)
        released = self.run_worker(operation='release', addresses=[VIP])
        self.assertTrue(released.result['changed'])
        self.assertNotIn(VIP, self.host.addresses['lo'])

    def test_peers_keepalived_stop_and_start_through_systemd(self):
        self.host.add_container('keepalived', 400, 'keepalived:2026.1',
                                ports=(), unit=True)
        self.run_worker(operation='stop_container', container='keepalived')
        self.assertFalse(self.host.containers['keepalived']['running'])
        done = self.run_worker(operation='start_container',
                               container='keepalived')
        self.assertTrue(done.result['changed'])
        self.assertIn(['systemctl', 'start',
                       'kolla-keepalived-container.service'],
                      self.host.calls)
        again = self.run_worker(operation='start_container',
                                container='keepalived')
        self.assertFalse(again.result['changed'])

    def test_check_mode_changes_nothing(self):
        self.host.add_container('haproxy', 100, 'haproxy:2026.1')
        for operation in ('start_bridge', 'soft_stop'):
            done = self.run_worker(check_mode=True, operation=operation)
            self.assertTrue(done.result['changed'], operation)
        done = self.run_worker(check_mode=True, operation='anchor',
                               addresses=[VIP])
        self.assertNotIn(VIP, self.host.addresses['lo'])
        self.assertFalse([c for c in self.host.calls
                          if c[1:2] in (['run'], ['kill'])
                          or c[:3] == ['ip', 'addr', 'add']])


class DocumentationTestCase(base.TestCase):
    """DOCUMENTATION lists exactly the options of the argument spec."""

    def test_documentation_matches_the_spec(self):
        fake = mock.MagicMock()
        fake.LoadbalancerWorker = worker_mod.LoadbalancerWorker
        with mock.patch.dict(sys.modules, {
                'ansible.module_utils.zdu_loadbalancer': fake}):
            library = helpers._load('zdu_loadbalancer_library', 'library',
                                    'zdu_loadbalancer.py')
        documented = yaml.safe_load(library.DOCUMENTATION)['options']
        self.assertEqual(sorted(library.ARGUMENT_SPEC), sorted(documented))
        for name, spec in library.ARGUMENT_SPEC.items():
            self.assertEqual(spec['type'], documented[name]['type'], name)
            self.assertEqual(spec.get('default'),
                             documented[name].get('default'), name)
            self.assertEqual(spec.get('choices'),
                             documented[name].get('choices'), name)
