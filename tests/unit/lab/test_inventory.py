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

import configparser

from kolla_zdu_lab import inventory
from kolla_zdu_lab import paths
from kolla_zdu_lab import settings as settings_mod
from tests.unit import base


def parse(text):
    parser = configparser.ConfigParser(allow_no_value=True,
                                       delimiters=("=",))
    parser.optionxform = str
    parser.read_string(text)
    return parser


class InventoryTestCase(base.TestCase):

    def render(self, profile):
        lab = settings_mod.LabSettings(state_dir=self.config_dir, nodes=2,
                                       profile=profile)
        return parse(inventory.render_hosts(lab))

    def test_demo_profile_groups(self):
        hosts = self.render("demo")
        self.assertEqual(["control"], list(hosts["zdu-demo:children"]))
        self.assertNotIn("keystone:children", hosts)
        self.assertNotIn("kolla_toolbox:children", hosts)

    def test_keystone_profile_nests_groups_as_kolla_multinode(self):
        hosts = self.render("keystone")
        self.assertEqual(["control"], list(hosts["keystone:children"]))
        self.assertEqual(["control"], list(hosts["memcached:children"]))
        self.assertEqual(["common"], list(hosts["kolla_toolbox:children"]))
        self.assertEqual(["common"], list(hosts["cron:children"]))
        self.assertEqual([], list(hosts["rabbitmq"]))
        self.assertEqual(["node1 ansible_host", "node2 ansible_host"],
                         list(hosts["control"]))
        self.assertNotIn("zdu-demo:children", hosts)

    def test_heat_profile_nests_groups_as_kolla_multinode(self):
        hosts = self.render("heat")
        self.assertEqual(["control"], list(hosts["keystone:children"]))
        self.assertEqual(["control"], list(hosts["rabbitmq:children"]))
        self.assertEqual(["control"], list(hosts["heat:children"]))
        for group in ("heat-api", "heat-api-cfn", "heat-engine"):
            self.assertEqual(["heat"], list(hosts["%s:children" % group]))
        self.assertEqual(["common"], list(hosts["kolla_toolbox:children"]))
        self.assertEqual([], list(hosts["mariadb"]))
        self.assertNotIn("rabbitmq", hosts)
        self.assertNotIn("heat:children",
                         self.render("keystone"))

    def test_playbook_per_profile(self):
        self.assertEqual(paths.lab_playbook(), paths.profile_playbook("demo"))
        for profile in ("keystone", "heat"):
            self.assertEqual(
                paths.kolla_ansible_dir() + "/site.yml",
                paths.profile_playbook(profile))
