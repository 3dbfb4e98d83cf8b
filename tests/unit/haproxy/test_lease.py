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
"""The out-of-service lease and its watchdog, against a real HAProxy."""

import json
import os
import sys
import time

import fixtures

from kolla_zdu_plugin.haproxy import lb_agent
from kolla_zdu_plugin.haproxy import operations
from kolla_zdu_plugin.haproxy import runtime
from tests.unit import base
from tests.unit.haproxy import fixtures as haproxy_fixtures

NODE1 = 'api_back/node1'
NODE2 = 'api_back/node2'
TEMPORARY = 'api_back/node1_zdu_next'
# How long a watchdog may take to finish, however busy the machine: a
# deadline for a failure, not a measurement.
EXIT_TIMEOUT = 30


class _LeaseBase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.haproxy = self.useFixture(haproxy_fixtures.HAProxyFixture())
        self.watchdogs = self.useFixture(haproxy_fixtures.WatchdogsFixture())
        directory = os.path.join(self.haproxy.dir, 'kolla-zdu')
        self.marks = os.path.join(directory, 'marks.json')
        self.log = os.path.join(directory, lb_agent.WATCHDOG_LOG)
        self.lease = None
        self.in_service = self.states()

    def call(self, commands, marks=None, extra=None):
        """Run the agent as the action plugin does, with ``self.lease``."""
        request = {'container': 'haproxy', 'socket_path': '/ignored',
                   'commands': commands, 'marks': marks or {},
                   'lease': self.lease}
        request.update(extra or {})
        result = lb_agent.handle(
            request, locate=lambda c, p, e: self.haproxy.admin_socket,
            marks_file=self.marks)
        if isinstance(result.get('watchdog'), int):
            self.watchdogs.track(result['watchdog'])
        return result

    def states(self):
        """Read the servers' status from HAProxy, renewing nothing."""
        rows = runtime.parse_stat(lb_agent.send(self.haproxy.admin_socket,
                                                runtime.SHOW_STAT))
        return {name: runtime.status(row) for name, row in rows.items()}

    def drain(self, servers, state=runtime.DRAIN):
        """Take ``servers`` out of service; return the watchdog's pid."""
        pids = list(self.watchdogs.pids)
        operations.set_state(self.call, 'lb1', servers, state)
        started = [pid for pid in self.watchdogs.pids if pid not in pids]
        return started[0] if started else None

    def lock_holder(self):
        """Return the pid the watchdog wrote into its lock file."""
        with open(self.marks + lb_agent.WATCHDOG_LOCK) as stream:
            return stream.read().strip()

    def log_lines(self):
        """Return the lines of the watchdog's log."""
        if not os.path.exists(self.log):
            return []
        with open(self.log) as stream:
            return stream.read().splitlines()

    def wait_restored(self, names, timeout=EXIT_TIMEOUT):
        """Wait until ``names`` are back in their first state."""
        return haproxy_fixtures.wait_until(
            lambda: all(self.states()[name] == self.in_service[name]
                        for name in names), timeout)


class LeaseTestCase(_LeaseBase):

    def test_expired_lease_puts_servers_back(self):
        self.lease = 1
        start = time.monotonic()
        pid = self.drain([NODE1])
        self.drain([NODE2], runtime.MAINT)
        self.assertIsNotNone(pid)
        self.assertEqual(('DRAIN', 'MAINT'),
                         (self.states()[NODE1], self.states()[NODE2]))
        self.assertTrue(self.wait_restored([NODE1, NODE2]))
        self.assertGreaterEqual(time.monotonic() - start, 1)
        self.assertEqual([], lb_agent.load_marks(self.marks))
        self.assertTrue(haproxy_fixtures.wait_exited(pid, EXIT_TIMEOUT))
        lines = self.log_lines()
        self.assertEqual(1, len(lines))
        self.assertIn('lease of 1s expired', lines[0])
        self.assertIn('set ready: %s, %s;' % (NODE1, NODE2), lines[0])

    def test_renewed_lease_keeps_servers_out(self):
        # Renewed every 0.25 s, a 5 s lease lasts past its first deadline
        # unless this test is starved of CPU for more than 4.75 s.
        self.lease = 5
        pid = self.drain([NODE1])
        first_deadline = time.monotonic() + self.lease
        while time.monotonic() < first_deadline + 1:
            self.call([])
            self.assertEqual('DRAIN', self.states()[NODE1])
            time.sleep(0.25)
        self.assertFalse(haproxy_fixtures.exited(pid))
        self.assertEqual([NODE1], lb_agent.load_marks(self.marks))
        self.assertTrue(self.wait_restored([NODE1]))
        self.assertTrue(haproxy_fixtures.wait_exited(pid, EXIT_TIMEOUT))

    def test_ready_clears_marks_and_stops_watchdog(self):
        self.lease = 60
        self.assertNotIn('watchdog', self.call([runtime.SHOW_STAT]))
        pid = self.drain([NODE1])
        self.assertEqual('DRAIN', self.states()[NODE1])
        operations.set_state(self.call, 'lb1', [NODE1], runtime.READY)
        self.assertEqual([], lb_agent.load_marks(self.marks))
        self.assertTrue(haproxy_fixtures.wait_exited(pid, EXIT_TIMEOUT))
        self.assertEqual(self.in_service, self.states())
        self.assertEqual([], self.log_lines())

    def test_second_watchdog_exits_at_once(self):
        self.lease = 60
        pid = self.drain([NODE1])
        self.assertTrue(haproxy_fixtures.wait_until(
            lambda: self.lock_holder() == str(pid), EXIT_TIMEOUT))
        second = lb_agent.start_watchdog({
            'marks_file': self.marks, 'container': 'haproxy',
            'socket_path': '/ignored', 'socket': self.haproxy.admin_socket})
        self.watchdogs.track(second.pid)
        self.assertEqual(0, second.wait(timeout=10))
        self.assertIsNone(self.drain([NODE2]))
        self.assertFalse(haproxy_fixtures.exited(pid))
        self.assertEqual(str(pid), self.lock_holder())

    def test_temporary_servers_are_left_to_the_next_run(self):
        operations.add_servers(self.call, 'lb1', {
            TEMPORARY: ('127.0.0.1', self.haproxy.backend_port)})
        self.lease = 1
        pid = self.drain([TEMPORARY, NODE1])
        self.assertTrue(self.wait_restored([NODE1]))
        # The watchdog logs after it clears the record: wait for it to
        # exit, not for the record, before reading the log.
        self.assertTrue(haproxy_fixtures.wait_exited(pid, EXIT_TIMEOUT))
        self.assertEqual([], lb_agent.load_marks(self.marks))
        self.assertTrue(self.states()[TEMPORARY].startswith('DRAIN'))
        self.assertIn('temporary left: %s;' % TEMPORARY,
                      self.log_lines()[0])

    def test_record_of_earlier_versions_is_watched(self):
        os.makedirs(os.path.dirname(self.marks))
        with open(self.marks, 'w') as stream:
            json.dump([NODE1], stream)
        self.assertEqual([NODE1], lb_agent.load_marks(self.marks))
        lb_agent.send(self.haproxy.admin_socket,
                      runtime.set_state(NODE1, runtime.DRAIN))
        self.lease = 1
        self.assertIsNotNone(self.call([]).get('watchdog'))
        self.assertTrue(self.wait_restored([NODE1]))

    def test_unreachable_haproxy_keeps_the_record(self):
        not_a_socket = os.path.join(self.haproxy.dir, 'haproxy.cfg')
        lb_agent.update_marks(add=[NODE1], path=self.marks)
        record = dict(lb_agent.load_record(self.marks), lease=1,
                      deadline=time.time())
        lb_agent.restore({'marks_file': self.marks, 'socket': not_a_socket,
                          'container': 'haproxy', 'socket_path': '/x'},
                         record)
        self.assertEqual([NODE1], lb_agent.load_marks(self.marks))
        self.assertIn('cannot reach HAProxy', self.log_lines()[0])

    def test_a_reader_without_lease_does_not_renew(self):
        self.lease = 60
        self.drain([NODE1])
        deadline = lb_agent.load_record(self.marks)['deadline']
        self.lease = None
        self.call(['show servers state'])
        self.assertEqual(deadline,
                         lb_agent.load_record(self.marks)['deadline'])


FAKE_SYSTEMD_RUN = '''#!%(python)s
# A stand-in for systemd-run: records its arguments, fails as often as
# asked, then runs the unit's command in a session of its own.
import json, os, subprocess, sys
log = os.environ['FAKE_SYSTEMD_RUN_LOG']
with open(log, 'a') as stream:
    stream.write(json.dumps(sys.argv[1:]) + '\\n')
with open(log) as stream:
    calls = len(stream.readlines())
if calls <= int(os.environ.get('FAKE_SYSTEMD_RUN_FAILURES', '0')):
    sys.stdout.write('Failed to start transient service unit: Unit '
                     'kolla-zdu-lease-watchdog.service was already loaded\\n')
    sys.exit(1)
argv = sys.argv[1:]
command = argv[argv.index('--description') + 2:]
child = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
with open(log + '.pid', 'w') as stream:
    stream.write(str(child.pid))
'''


class SystemdWatchdogTestCase(_LeaseBase):
    """Under systemd the watchdog is a transient unit an operator sees."""

    def setUp(self):
        super().setUp()
        self.fake = os.path.join(self.haproxy.dir, 'systemd-run')
        with open(self.fake, 'w') as stream:
            stream.write(FAKE_SYSTEMD_RUN % {'python': sys.executable})
        os.chmod(self.fake, 0o755)
        self.run_log = os.path.join(self.haproxy.dir, 'systemd-run.log')
        self.useFixture(fixtures.EnvironmentVariable(
            'FAKE_SYSTEMD_RUN_LOG', self.run_log))
        self.useFixture(fixtures.MonkeyPatch(
            'kolla_zdu_plugin.haproxy.lb_agent.systemd_run',
            lambda: self.fake))
        self.useFixture(fixtures.MonkeyPatch(
            'kolla_zdu_plugin.haproxy.lb_agent.UNIT_RETRY_DELAY', 0.01))

    def unit_pid(self):
        with open(self.run_log + '.pid') as stream:
            pid = int(stream.read())
        self.watchdogs.track(pid)
        return pid

    def runs(self):
        with open(self.run_log) as stream:
            return [json.loads(line) for line in stream]

    def test_expired_lease_puts_servers_back(self):
        self.lease = 1
        result = self.call([], marks={'add': [NODE1]})
        self.assertEqual('kolla-zdu-lease-watchdog.service',
                         result['watchdog'])
        pid = self.unit_pid()
        lb_agent.send(self.haproxy.admin_socket,
                      'set server %s state drain' % NODE1)
        self.assertTrue(self.wait_restored([NODE1]))
        self.assertTrue(haproxy_fixtures.wait_exited(pid, EXIT_TIMEOUT))
        argv = self.runs()[0]
        self.assertEqual(['--unit', 'kolla-zdu-lease-watchdog', '--collect'],
                         argv[:3])
        source = os.path.join(os.path.dirname(self.marks),
                              lb_agent.WATCHDOG_SOURCE)
        self.assertEqual(source, argv[argv.index(sys.executable) + 1])
        with open(source) as stream:
            self.assertIn('def start_watchdog_unit(', stream.read())
        self.assertIn('lease of 1s expired', self.log_lines()[0])

    def test_a_unit_still_stopping_is_waited_for(self):
        self.lease = 60
        self.useFixture(fixtures.EnvironmentVariable(
            'FAKE_SYSTEMD_RUN_FAILURES', '2'))
        result = self.call([], marks={'add': [NODE1]})
        self.unit_pid()
        self.assertEqual('kolla-zdu-lease-watchdog.service',
                         result['watchdog'])
        self.assertEqual(3, len(self.runs()))

    def test_no_unit_is_an_error_before_any_command(self):
        self.lease = 60
        self.useFixture(fixtures.EnvironmentVariable(
            'FAKE_SYSTEMD_RUN_FAILURES', '100'))
        result = self.call(['set server %s state drain' % NODE1],
                           {'add': [NODE1]})
        self.assertTrue(result['failed'])
        self.assertIn('systemd-run could not start kolla-zdu-lease-watchdog'
                      ': Failed to start transient service unit',
                      result['msg'])
        self.assertEqual(self.in_service[NODE1], self.states()[NODE1])
