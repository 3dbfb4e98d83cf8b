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

import yaml

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
        - name: Configure loadbalancer for queue
          ansible.builtin.include_role: {name: queue, tasks_from: loadbalancer}
          vars: {role_queue_groups: null}
        - name: Something else
          ansible.builtin.include_role: {name: api, tasks_from: config}
"""
ROLE_TASKS = os.path.join(os.path.dirname(__file__), '..', '..', '..',
                          'ansible', 'roles', 'zdu_loadbalancer', 'tasks',
                          'main.yml')


def _handoff_include_vars():
    with open(ROLE_TASKS) as stream:
        tasks = yaml.safe_load(stream)
    block = next(task['block'] for task in tasks if 'block' in task)
    include = next(task for task in block
                   if (task.get('ansible.builtin.include_role') or {}).get(
                       'tasks_from') == 'loadbalancer')
    return include.get('vars') or {}


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
                                      'web_external | bool']},
             {'role': 'queue', 'when': [],
              'vars': {'role_queue_groups': None}}],
            site_playbook.loadbalancer_tasks(self.write(SITE)))

    def test_the_handoff_gives_its_includes_the_vars_kolla_gives(self):
        # kolla's loadbalancer play sets task vars on some includes (the
        # rabbitmq role's defaults read role_rabbitmq_groups); the handoff
        # runs the same includes and must set them as kolla does.
        handoff_vars = _handoff_include_vars()
        tasks = site_playbook.loadbalancer_tasks(
            os.path.join(base.KOLLA_DIR, 'site.yml'))
        kolla_vars = {}
        for task in tasks:
            kolla_vars.update(task.get('vars', {}))
        self.assertIn('role_rabbitmq_groups', kolla_vars)
        missing = sorted(set(kolla_vars) - set(handoff_vars))
        self.assertEqual([], missing, "vars kolla's play sets and the "
                         "handoff's include does not")
        self.assertEqual(kolla_vars, {key: handoff_vars[key]
                                      for key in kolla_vars})

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
