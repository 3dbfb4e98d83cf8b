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

from kolla_zdu_plugin.servicemap import site_playbook
from tests.unit import base

SITE = """
- name: Apply role keystone
  hosts: keystone
  roles: [{role: keystone}]
  tasks:
    - name: Not the loadbalancer play
      ansible.builtin.include_role: {name: other, tasks_from: loadbalancer}
- name: Apply role loadbalancer
  hosts: loadbalancer
  roles: [{role: loadbalancer}]
  tasks:
    - name: Configure loadbalancer for enabled services
      when: enable_haproxy | bool
      block:
        - name: Configure loadbalancer for api
          ansible.builtin.include_role: {name: api, tasks_from: loadbalancer}
          when: enable_api | bool
        - name: Configure loadbalancer for web
          include_role: {name: web, tasks_from: loadbalancer}
          when: [enable_web | bool, web_external | bool]
        - name: Something else
          ansible.builtin.include_role: {name: api, tasks_from: config}
"""


class LoadBalancerTasksTestCase(base.TestCase):

    def write(self, text):
        path = os.path.join(self.config_dir, 'site.yml')
        with open(path, 'w') as stream:
            stream.write(text)
        return path

    def test_the_loadbalancer_plays_service_tasks_in_order(self):
        self.assertEqual(
            [{'role': 'api', 'when': ['enable_api | bool']},
             {'role': 'web', 'when': ['enable_web | bool',
                                      'web_external | bool']}],
            site_playbook.loadbalancer_tasks(self.write(SITE)))

    def test_kolla_site_yml_configures_keystone(self):
        tasks = site_playbook.loadbalancer_tasks(
            os.path.join(base.KOLLA_DIR, 'site.yml'))
        self.assertIn({'role': 'keystone', 'when': ['enable_keystone | bool']},
                      tasks)

    def test_an_unreadable_playbook_has_none(self):
        self.assertEqual([], site_playbook.loadbalancer_tasks(
            self.write('- !vault |\n  x')))
        self.assertEqual([], site_playbook.loadbalancer_tasks(
            os.path.join(self.config_dir, 'missing.yml')))
