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
import os
from unittest import mock

from kolla_zdu_lab import deploy_host
from tests.unit import base


class DeployHostTestCase(base.TestCase):

    def make_root(self, *files):
        root = os.path.join(self.config_dir, 'cgroup')
        for name in files:
            path = os.path.join(root, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w') as stream:
                stream.write('1024\n')
        return root

    def read(self, path):
        with open(path) as stream:
            return stream.read()

    def test_v1_cgroup_gets_a_quarter_of_the_default_shares(self):
        root = self.make_root('cpu,cpuacct/cpu.shares')
        path = deploy_host.make_cgroup(root)
        self.assertEqual(os.path.join(root, 'cpu,cpuacct', deploy_host.CGROUP),
                         path)
        self.assertEqual('256', self.read(os.path.join(path, 'cpu.shares')))

    def test_v2_cgroup_gets_a_quarter_of_the_default_weight(self):
        root = self.make_root('cgroup.controllers', 'cgroup.subtree_control')
        path = deploy_host.make_cgroup(root)
        self.assertEqual(os.path.join(root, deploy_host.CGROUP), path)
        self.assertEqual('25', self.read(os.path.join(path, 'cpu.weight')))
        self.assertEqual('+cpu', self.read(
            os.path.join(root, 'cgroup.subtree_control')))

    def test_no_cgroup_without_a_cpu_controller(self):
        self.assertIsNone(deploy_host.make_cgroup(self.make_root('other')))

    def test_remove_cgroup(self):
        root = self.make_root('cpu/cpu.shares')
        path = deploy_host.make_cgroup(root)
        os.remove(os.path.join(path, 'cpu.shares'))
        deploy_host.remove_cgroup(root)
        self.assertFalse(os.path.exists(path))
        deploy_host.remove_cgroup(root)

    def test_confine_moves_the_process_into_the_cgroup(self):
        cgroup = self.make_root('x/cgroup.procs') + '/x'
        self.assertEqual('cgroup %s' % cgroup,
                         deploy_host.confine(1234, cgroup))
        self.assertEqual('1234', self.read(os.path.join(cgroup,
                                                        'cgroup.procs')))

    def test_confine_falls_back_to_the_autogroup(self):
        opener = mock.mock_open()
        with mock.patch('builtins.open', opener):
            self.assertEqual('nice 19', deploy_host.confine(1234, None))
        opener.assert_called_once_with('/proc/1234/autogroup', 'w')
        opener().write.assert_called_once_with('19')

    def test_command_runs_at_the_lowest_nice_value(self):
        self.assertEqual(['nice', '-n', '19', 'kolla-ansible', 'upgrade'],
                         deploy_host.command(['kolla-ansible', 'upgrade']))
