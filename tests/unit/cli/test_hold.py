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
"""``kolla-ansible zdu-hold`` renders the hold from zdu.conf."""

import os
import subprocess
import sys

import yaml

from kolla_zdu_plugin.haproxy import hold_config
from kolla_zdu_plugin.haproxy import lb_agent
from tests.unit import base
from tests.unit.cli import fakes


class HoldCommandTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.reports = os.path.join(self.config_dir, 'reports')
        self.node_config = os.path.join(self.config_dir, 'node')
        self.write_config('zdu.conf', '[zdu]\nreport_dir = %s\n[buffer]\n'
                          'max_hold_time = 30\nmax_held_requests = 400\n'
                          % self.reports)
        self.write_config('passwords.yml', '{}\n')
        with open(os.path.join(self.config_dir, 'globals.yml'), 'a') as f:
            f.write('haproxy_backend_http_extra:\n'
                    '  - "option forwardfor"\n')
        self.inventory = os.path.join(self.config_dir, 'inventory')
        with open(self.inventory, 'w') as stream:
            stream.write('[loadbalancer]\nlb1 ansible_connection=local '
                         'ansible_python_interpreter=%s\n' % sys.executable)

    def run_hold(self):
        return fakes.run_kolla_ansible(
            ['zdu-hold', '--configdir', self.config_dir,
             '-i', self.inventory,
             '-e', 'node_config_directory=%s' % self.node_config,
             '-e', 'config_owner_user=root',
             '-e', 'config_owner_group=root'])

    def test_writes_the_hold_of_zdu_conf_and_installs_the_lua(self):
        code, run_command, out = self.run_hold()
        self.assertEqual(0, code, out)
        with open(os.path.join(self.config_dir, 'globals.d',
                               'zdu-hold.yml')) as stream:
            written = yaml.safe_load(stream)
        self.assertTrue(written['haproxy_socket_level_admin'])
        self.assertEqual(['option forwardfor']
                         + hold_config.backend_lines(30, 400),
                         written['haproxy_backend_http_extra'])
        self.assertTrue(os.path.isfile(os.path.join(
            self.config_dir, 'config', 'haproxy', 'services.d',
            hold_config.GLOBAL_FILE)))
        self.assertIn('at most 30 s, at most 400 at once', out)
        self.assertIn('kolla-ansible reconfigure -t loadbalancer', out)
        # The bounds HAProxy would render are what the plan compares.
        services = os.path.join(self.config_dir, 'rendered', 'services.d')
        os.makedirs(services)
        with open(os.path.join(services, 'demo.cfg'), 'w') as stream:
            stream.write('backend demo_back\n')
            stream.writelines('    %s\n' % line for line
                              in written['haproxy_backend_http_extra'])
        self.assertEqual(
            {'demo_back': {'max_hold_ms': 30000, 'max_held': 400}},
            lb_agent.hold_bounds(os.path.dirname(services),
                                 hold_config.ACTION))
        # The playbook kolla-ansible would run installs the Lua action.
        executable, args = run_command.call_args[0][:2]
        done = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), executable)]
            + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, timeout=300)
        self.assertEqual(0, done.returncode, done.stdout[-3000:])
        with open(os.path.join(self.node_config, 'haproxy', 'services.d',
                               hold_config.LUA_FILE)) as stream:
            self.assertEqual(hold_config.LUA_SCRIPT, stream.read())

    def test_a_second_run_replaces_its_own_lines(self):
        self.assertEqual(0, self.run_hold()[0])
        self.write_config('zdu.conf', '[zdu]\nreport_dir = %s\n[buffer]\n'
                          'max_hold_time = 10\n' % self.reports)
        self.assertEqual(0, self.run_hold()[0])
        with open(os.path.join(self.config_dir, 'globals.d',
                               'zdu-hold.yml')) as stream:
            lines = yaml.safe_load(stream)['haproxy_backend_http_extra']
        self.assertEqual(1, sum(1 for line in lines
                                if 'lua.%s' % hold_config.ACTION in line))
        self.assertIn('lua.%s 10000 ' % hold_config.ACTION,
                      [line for line in lines if 'lua.' in line][0])
