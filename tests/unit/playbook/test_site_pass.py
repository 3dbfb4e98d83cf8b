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

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.planning import plan
from kolla_zdu_plugin.playbook import site_pass
from tests.unit import base

SITE = """
- name: Gather facts
  import_playbook: gather-facts.yml
- name: Apply role loadbalancer
  hosts: [loadbalancer, "&enable_loadbalancer_True"]
  roles: [{role: loadbalancer}]
  tasks:
    - name: Configure loadbalancer for api
      ansible.builtin.include_role: {name: api, tasks_from: loadbalancer}
- name: Apply role api
  hosts: [api, "&enable_api_True"]
  serial: '{{ kolla_serial|default("0") }}'
  roles: [{role: api, tags: api}]
- name: Apply role web
  hosts: web:other
  roles: [web]
"""


class SitePassTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.run_dir = self.make_dir('run')

    def make_dir(self, name):
        path = os.path.join(self.config_dir, name)
        os.makedirs(path, exist_ok=True)
        return path

    def write_site(self, text=SITE):
        path = os.path.join(self.make_dir('site'), 'site.yml')
        with open(path, 'w') as stream:
            stream.write(text)
        return path

    def test_leaves_out_the_plays_of_upgraded_roles(self):
        site = self.write_site()
        path, skipped = site_pass.write(
            self.run_dir, site, [base.make_service('api')])
        self.assertEqual(['Apply role api'], skipped)
        self.assertEqual(self.run_dir, os.path.dirname(path))
        with open(path) as stream:
            plays = yaml.safe_load(stream)
        self.assertEqual(
            ['Gather facts', 'Apply role loadbalancer', 'Apply role web'],
            [play['name'] for play in plays])
        self.assertEqual(os.path.join(os.path.dirname(site),
                                      'gather-facts.yml'),
                         plays[0]['import_playbook'])
        self.assertEqual(
            'api', plays[1]['tasks'][0]['ansible.builtin.include_role'][
                'name'])

    def test_keeps_the_site_playbook_when_nothing_is_left_out(self):
        site = self.write_site()
        self.assertEqual(
            (site, []),
            site_pass.write(self.run_dir, site, [base.make_service('db')]))
        self.assertEqual([], os.listdir(self.run_dir))

    def test_keeps_a_play_on_a_group_not_upgraded(self):
        site = self.write_site()
        _path, skipped = site_pass.write(
            self.run_dir, site, [base.make_service('web')])
        self.assertEqual([], skipped)

    def test_leaves_out_a_play_on_every_upgraded_group(self):
        web = base.make_service('web')
        other = base.make_service('web-other')
        other = other.__class__(**dict(other.__dict__, group='other'))
        site = self.write_site()
        _path, skipped = site_pass.write(self.run_dir, site, [web, other])
        self.assertEqual(['Apply role web'], skipped)

    def test_keeps_a_play_with_tasks_of_its_own(self):
        play = {'name': 'p', 'hosts': ['api'], 'roles': ['api'],
                'post_tasks': [{'debug': {'msg': 'x'}}]}
        self.assertFalse(site_pass.is_covered(play, {'api': {'api'}}))

    def test_keeps_a_play_of_several_roles_not_all_upgraded(self):
        play = {'name': 'p', 'hosts': ['api'], 'roles': ['api', 'db']}
        self.assertFalse(site_pass.is_covered(play, {'api': {'api'}}))
        self.assertTrue(site_pass.is_covered(
            play, {'api': {'api'}, 'db': {'api'}}))

    def test_yaml_only_ansible_reads_is_imported_whole(self):
        site = self.write_site(SITE + '- name: x\n  vars: {a: !unsafe "{{"}\n'
                               '  hosts: api\n  roles: [api]\n')
        self.assertEqual(
            (site, []),
            site_pass.write(self.run_dir, site, [base.make_service('api')]))

    def test_unreadable_playbook_is_named(self):
        error = self.assertRaises(
            exceptions.ConfigError, site_pass.write, self.run_dir,
            '/nonexistent/site.yml', [base.make_service('api')])
        self.assertIn('/nonexistent/site.yml', str(error))

    def test_leaves_out_kolla_memcached_play_after_the_serial_plays(self):
        site = os.path.join(base.KOLLA_DIR, 'site.yml')
        memcached = plan.SerialRolePlan(
            role='memcached', group='memcached', hosts=('control01',),
            containers=(('memcached', 'memcached', 'img'),), batches=(),
            reason='')
        _path, skipped = site_pass.write(self.run_dir, site, [memcached])
        self.assertEqual(['Apply role memcached'], skipped)
