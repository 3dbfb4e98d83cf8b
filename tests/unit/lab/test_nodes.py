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
"""The nodes' ``docker run`` arguments."""

from kolla_zdu_lab import nodes
from kolla_zdu_lab import settings as settings_mod
from tests.unit import base


class NodeRunArgsTestCase(base.TestCase):

    def test_every_other_node_is_in_the_hosts_file(self):
        lab_settings = settings_mod.LabSettings(state_dir="/state", nodes=3)
        args = nodes.node_run_args(lab_settings, "node2", "IMAGE")
        hosts = [args[index + 1] for index, arg in enumerate(args)
                 if arg == "--add-host"]
        self.assertEqual(["node1:172.30.99.11", "node3:172.30.99.13"], hosts)
        self.assertEqual("IMAGE", args[-1])

    def test_a_single_node_has_no_peer(self):
        lab_settings = settings_mod.LabSettings(state_dir="/state", nodes=1)
        args = nodes.node_run_args(lab_settings, "node1", "IMAGE")
        self.assertNotIn("--add-host", args)
