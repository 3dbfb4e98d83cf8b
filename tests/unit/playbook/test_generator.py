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

from ansible.parsing import dataloader
from ansible import template
import yaml

from kolla_zdu_plugin.planning import plan
from kolla_zdu_plugin.playbook import generator
from kolla_zdu_plugin.playbook import plays
from kolla_zdu_plugin.playbook import workspace
from tests.unit import base


def _service_plan(service, strategy, chosen=None):
    return plan.ServicePlan(
        service=service.name, project=service.project,
        container=service.container_name, strategy=strategy, reason='test',
        steps=(), chosen=chosen)


class GeneratorTestCase(base.TestCase):

    def build(self, **kwargs):
        api = base.make_service('api')
        web = base.make_service('web', hosts=('ctl1',))
        return generator.build(
            [(api, _service_plan(api, 'auto', 'rolling'),
              [{'name': 'api play'}]),
             (web, _service_plan(web, 'parallel'), [{'name': 'web play'}])],
            ('lb1', 'lb2'), self.make_conf(), ['/x/site.yml'])

    def test_order(self):
        names = [play.get('name') or play.get('import_playbook')
                 for play in self.build()]
        self.assertEqual([
            'zdu | pre-flight | reach every host and gather facts',
            'zdu | pre-flight | HAProxy on every loadbalancer host',
            'zdu | converge what an interrupted run left',
            'zdu | pre-flight | images, ports and memory',
            'api play', 'web play', '/x/site.yml',
            'zdu | verify every server is back in service',
            'zdu | summary'], names)

    def test_preflight_checks_every_server_on_every_loadbalancer(self):
        check = self.build()[1]
        self.assertEqual(['lb1', 'lb2'], check['hosts'])
        self.assertEqual(
            ['api_back/ctl1', 'api_back/ctl2', 'api_back/ctl3',
             'web_back/ctl1'],
            check['tasks'][0]['zdu_haproxy']['servers'])

    def test_preflight_pulls_images_and_checks_parallel_ports(self):
        names = [task['name'] for task in self.build()[3]['tasks']]
        self.assertIn('zdu | pre-flight | pull registry/api:2 for api',
                      names)
        self.assertIn('zdu | pre-flight | port 28080 is free for web_zdu_next',
                      names)
        self.assertNotIn('zdu | pre-flight | port 28080 is free for '
                         'api_zdu_next', names)

    def test_written_playbook_is_plain_yaml(self):
        path = generator.write(self.config_dir, self.build())
        with open(path) as stream:
            text = stream.read()
        self.assertNotIn('&id', text)
        self.assertEqual(self.build(), yaml.safe_load(text))

    def test_verify_allows_only_what_was_out_before_the_run(self):
        verify = [play for play in self.build()
                  if play.get('name', '').startswith('zdu | verify')][0]
        that = verify['tasks'][1]['ansible.builtin.assert']['that']

        def passes(states, operator_out):
            variables = {'zdu_final': {'states': states},
                         generator.PREFLIGHT: {'operator_out': operator_out}}
            templar = template.Templar(loader=dataloader.DataLoader(),
                                       variables=variables)
            return templar.template(template.trust_as_template(
                '{{ %s }}' % that))

        states = {'api_back/ctl1': 'UP', 'api_back/ctl2': 'MAINT'}
        self.assertTrue(passes(states, ['api_back/ctl2']))
        self.assertFalse(passes(states, []))
        self.assertFalse(passes(dict(states, **{'api_back/ctl1': 'DRAIN'}),
                                ['api_back/ctl2']))
        self.assertTrue(passes({'api_back/ctl1': 'UP'}, []))

    def test_every_haproxy_task_names_kollas_container_engine(self):
        def haproxy_tasks(tasks):
            for task in tasks:
                if 'zdu_haproxy' in task:
                    yield task['zdu_haproxy']
                for key in ('block', 'rescue', 'always'):
                    yield from haproxy_tasks(task.get(key) or ())

        found = [args for play in self.build()
                 for args in haproxy_tasks(play.get('tasks') or ())]
        rolling = plays.rolling_host(base.make_service('api'), 'ctl1',
                                     self.make_conf())
        found += list(haproxy_tasks(rolling['tasks']))
        self.assertEqual(['check', 'converge', 'check', 'drain',
                          'wait_drained', 'keep', 'ready'],
                         [args['operation'] for args in found])
        self.assertEqual({'{{ kolla_container_engine }}'},
                         {args['container_engine'] for args in found})

    def test_preflight_registers_what_the_operator_took_out(self):
        check = self.build()[1]['tasks']
        self.assertEqual(generator.PREFLIGHT, check[0]['register'])
        self.assertIn('operator_out', check[1]['when'])


class WorkspaceTestCase(base.TestCase):

    def test_links_kolla_and_plugin_files(self):
        site = os.path.join(base.KOLLA_DIR, 'site.yml')
        workspace.prepare(self.config_dir, base.KOLLA_DIR, site)
        self.assertTrue(os.path.exists(os.path.join(
            self.config_dir, 'action_plugins', 'zdu_haproxy.py')))
        self.assertTrue(os.path.exists(os.path.join(
            self.config_dir, 'library', 'kolla_container.py')))
        self.assertTrue(os.path.isdir(os.path.join(
            self.config_dir, 'roles', 'keystone')))
        self.assertEqual(
            os.path.join(base.KOLLA_DIR, 'group_vars'),
            os.readlink(os.path.join(self.config_dir, 'group_vars')))
