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
"""``kolla-zdu-lab status`` asks each profile's module what runs."""

from unittest import mock

from kolla_zdu_lab import heat_lab
from kolla_zdu_lab import keystone_lab
from kolla_zdu_lab import settings as settings_mod
from kolla_zdu_lab import status
from tests.unit import base


class StatusTestCase(base.TestCase):

    def lab(self, profile):
        return settings_mod.LabSettings(state_dir=self.config_dir,
                                        profile=profile)

    def test_each_profile_says_what_its_nodes_run(self):
        with mock.patch.object(heat_lab, "node_serves",
                               return_value="keystone 29.1.0, heat 26.0.2"), \
                mock.patch.object(keystone_lab, "node_release",
                                  return_value="30.0.0"):
            self.assertEqual("keystone 29.1.0, heat 26.0.2",
                             status.node_serves(self.lab("heat"), "node1"))
            self.assertEqual("keystone 30.0.0",
                             status.node_serves(self.lab("keystone"),
                                                "node1"))

    def test_the_demo_node_answers_itself(self):
        with mock.patch.object(status, "serving",
                               return_value="v1@node1") as serving:
            self.assertEqual("v1@node1",
                             status.node_serves(self.lab("demo"), "node1"))
        serving.assert_called_once_with("http://172.30.99.11:9797/version")

    def test_heat_vip_answers(self):
        with mock.patch.object(heat_lab, "vip_serves",
                               return_value="orchestration v1.0") as vip:
            self.assertEqual("orchestration v1.0",
                             status.vip_serves(self.lab("heat")))
        vip.assert_called_once_with(mock.ANY)
