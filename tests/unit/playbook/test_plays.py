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
from ansible.parsing import dataloader
from ansible import template

from kolla_zdu_plugin.playbook import plays
from kolla_zdu_plugin.servicemap import model
from tests.unit import base


def task_names(tasks):
    names = []
    for task in tasks:
        names.append(task.get('name', ''))
        for section in ('block', 'rescue', 'always'):
            names.extend(task_names(task.get(section, ())))
    return names


def find(tasks, key):
    for task in tasks:
        if key in task:
            yield task
        for section in ('block', 'rescue', 'always'):
            yield from find(task.get(section, ()), key)


def service(**kwargs):
    return model.Service(**dict(
        base.make_service().__dict__, image_var='api_image_full',
        services_var='api_services', port_vars=('api_listen_port',),
        **kwargs))


class RollingPlayTestCase(base.TestCase):

    def test_play_drains_upgrades_and_always_restores(self):
        conf = self.make_conf(drain={'timeout': 9})
        play = plays.rolling_host(service(), 'ctl2', conf)
        self.assertEqual('ctl2', play['hosts'])
        self.assertTrue(play['any_errors_fatal'])
        guarded = play['tasks'][3]
        # The drain is protected: if it fails on lb2, lb1 is put back.
        drain = guarded['block'][0]
        self.assertEqual('drain', drain['zdu_haproxy']['operation'])
        self.assertEqual(['api_back/ctl2'], drain['zdu_haproxy']['servers'])
        self.assertEqual(['lb1', 'lb2'], drain['loop'])
        self.assertEqual('{{ item }}', drain['delegate_to'])
        self.assertEqual(4, len(play['tasks']))
        body = [t.get('zdu_haproxy', {}).get('operation')
                or t.get('ansible.builtin.include_role', {}).get('name')
                or t.get('ansible.builtin.meta')
                or ('uri' if 'ansible.builtin.uri' in t else None)
                for t in guarded['block']]
        self.assertEqual(['drain', 'wait_drained', 'api', 'flush_handlers',
                          'uri', 'uri'], body)
        self.assertEqual(9, guarded['block'][1]['zdu_haproxy']['timeout'])
        self.assertEqual('ready',
                         guarded['always'][0]['zdu_haproxy']['operation'])
        self.assertEqual('{{ node_config_directory }}/api.zdu-previous',
                         guarded['always'][1]['ansible.builtin.file']['path'])

    def test_readiness_uses_listen_port_and_health_path(self):
        play = plays.rolling_host(service(), 'ctl1', self.make_conf())
        uri = next(find(play['tasks'], 'ansible.builtin.uri'))
        self.assertTrue(uri['ansible.builtin.uri']['url'].endswith(
            ':8080/healthcheck'))

    def test_config_paths_reach_the_shell_quoted(self):
        play = plays.rolling_host(service(), 'ctl1', self.make_conf())
        templar = template.Templar(
            loader=dataloader.DataLoader(),
            variables={'node_config_directory': "/etc/kolla x/it's"})
        saved = templar.template(template.trust_as_template(
            play['tasks'][2]['ansible.builtin.shell']))
        self.assertEqual(
            "rm -rf '/etc/kolla x/it'\"'\"'s/api.zdu-previous' && "
            "if [ -d '/etc/kolla x/it'\"'\"'s/api' ]; then "
            "cp -a '/etc/kolla x/it'\"'\"'s/api' "
            "'/etc/kolla x/it'\"'\"'s/api.zdu-previous'; fi", saved)

    def test_rescue_rolls_back_and_names_service_host_and_check(self):
        play = plays.rolling_host(service(), 'ctl1', self.make_conf())
        saved = play['tasks'][2]['ansible.builtin.shell']
        directory = "{{ (node_config_directory ~ '/api') | quote }}"
        copy = "{{ (node_config_directory ~ '/api.zdu-previous') | quote }}"
        self.assertEqual('rm -rf %s && if [ -d %s ]; then cp -a %s %s; fi'
                         % (copy, directory, directory, copy), saved)
        rescue = play['tasks'][3]['rescue']
        self.assertEqual('if [ -d %s ]; then rm -rf %s && cp -a %s %s; fi'
                         % (copy, directory, copy, directory),
                         rescue[0]['ansible.builtin.shell'])
        restore = rescue[1]['kolla_container']
        self.assertEqual('recreate_or_restart_container', restore['action'])
        self.assertEqual('api', restore['name'])
        self.assertEqual('{{ zdu_previous_image }}', restore['image'])
        self.assertIn("api_services['api'].volumes", restore['volumes'])
        message = rescue[-1]['ansible.builtin.fail']['msg']
        for word in ('service api', 'host ctl1', '/healthcheck',
                     'rolled back'):
            self.assertIn(word, message)

    def test_no_rollback_when_disabled_leaves_the_host_drained(self):
        conf = self.make_conf(zdu={'rollback_on_failure': False})
        play = plays.rolling_host(service(), 'ctl1', conf)
        guarded = play['tasks'][3]
        rescue = guarded['rescue']
        self.assertEqual(
            [True, 'keep'],
            [rescue[0]['ansible.builtin.set_fact']['zdu_keep_drained'],
             rescue[1]['zdu_haproxy']['operation']])
        self.assertEqual(['api_back/ctl1'],
                         rescue[1]['zdu_haproxy']['servers'])
        message = rescue[-1]['ansible.builtin.fail']['msg']
        self.assertIn('rollback_on_failure is false', message)
        self.assertIn('left drained until the next run', message)
        self.assertIn('api.zdu-previous', message)
        # Neither the servers nor the saved configuration are touched.
        for task in guarded['always']:
            self.assertEqual('not (zdu_keep_drained | default(false))',
                             task['when'])
        self.assertEqual(['ready', None],
                         [t.get('zdu_haproxy', {}).get('operation')
                          for t in guarded['always']])

    def test_rolled_back_is_said_only_when_readiness_passed(self):
        play = plays.rolling_host(service(), 'ctl1', self.make_conf())
        rescue = play['tasks'][3]['rescue']
        notes = [t for t in rescue if 'zdu_rollback_failed'
                 in t.get('ansible.builtin.set_fact', {})]
        self.assertEqual(2, len(notes))
        self.assertEqual({'zdu_ready is failed'},
                         {t['when'] for t in notes})
        message = rescue[-1]['ansible.builtin.fail']['msg']

        def render(failed):
            variables = {'zdu_previous_image': 'registry/api:1',
                         'zdu_rollback_failed': failed}
            templar = template.Templar(loader=dataloader.DataLoader(),
                                       variables=variables)
            return templar.template(template.trust_as_template(
                message.split('. It was ', 1)[1]))

        self.assertEqual('rolled back to registry/api:1.', render(False))
        self.assertEqual('rolled back to registry/api:1, which did not pass '
                         'readiness either; the host was left drained until '
                         'the next run.', render(True))
        keep = [t for t in rescue
                if 'zdu_keep_drained' in t.get('ansible.builtin.set_fact',
                                               {})]
        self.assertEqual('{{ zdu_rollback_failed | default(false) }}',
                         keep[0]['ansible.builtin.set_fact']
                         ['zdu_keep_drained'])


class ParallelPlayTestCase(base.TestCase):

    def test_next_container_on_offset_port(self):
        conf = self.make_conf(parallel={'port_offset': 100})
        play = plays.parallel_host(service(), 'ctl1', conf)
        start = next(t for t in find(play['tasks'], 'kolla_container')
                     if t['kolla_container']['action'] == 'start_container')
        self.assertEqual('api_zdu_next', start['kolla_container']['name'])
        self.assertEqual(8180, start['vars']['api_listen_port'])
        add = next(t for t in find(play['tasks'], 'zdu_haproxy')
                   if t['zdu_haproxy']['operation'] == 'add')
        self.assertEqual(
            {'api_back/ctl1_zdu_next': {
                'address': '{{ api_interface_address }}', 'port': 8180}},
            add['zdu_haproxy']['new_servers'])

    def test_cleanup_always_removes_next_container_and_servers(self):
        play = plays.parallel_host(service(), 'ctl1', self.make_conf())
        always = play['tasks'][-1]['always']
        operations = [t.get('zdu_haproxy', {}).get('operation')
                      or t.get('kolla_container', {}).get('action')
                      or next(iter(t.keys() - {'name', 'become', 'when'}))
                      for t in always]
        self.assertEqual(['ready', 'delete', 'stop_and_remove_container',
                          'ansible.builtin.file',
                          'ansible.builtin.systemd_service',
                          'ansible.builtin.file', 'ansible.builtin.file'],
                         operations)

    def test_old_server_drained_only_after_next_is_ready(self):
        play = plays.parallel_host(service(), 'ctl1', self.make_conf())
        names = task_names(play['tasks'])
        first_ready = next(i for i, n in enumerate(names)
                           if 'readiness' in n)
        drain_old = names.index('zdu | drain api_back/ctl1 in every HAProxy')
        self.assertLess(first_ready, drain_old)


def operation(task):
    return (task.get('zdu_haproxy', {}).get('operation')
            or task.get('kolla_container', {}).get('action')
            or task.get('ansible.builtin.include_role', {}).get('name')
            or task.get('ansible.builtin.meta')
            or ('uri' if 'ansible.builtin.uri' in task else None)
            or ('set_fact' if 'ansible.builtin.set_fact' in task else None))


class BufferedCutoverPlayTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.make_conf()
        self.play = plays.buffered_cutover(service(), self.conf)
        self.guarded = self.play['tasks'][-1]

    def test_one_play_over_every_host(self):
        self.assertEqual(['ctl1', 'ctl2', 'ctl3'], self.play['hosts'])
        self.assertNotIn('serial', self.play)
        self.assertEqual(['api_back/ctl2_zdu_next'],
                         self.play['vars']['zdu_next_servers']['ctl2'])

    def test_warm_up_then_hold_swap_then_move_back(self):
        body = [operation(t) for t in self.guarded['block']]
        self.assertEqual(
            ['set_fact', 'api', 'start_container', 'uri', 'uri',
             'drain', 'wait_drained', 'maint', 'set_fact', 'add',
             'api', 'flush_handlers', 'uri', 'uri',
             'ready', 'set_fact', 'drain', 'wait_drained'], body)
        swap = self.guarded['block'][5:8]
        for task in swap:
            self.assertTrue(task['run_once'])
            self.assertEqual(
                ['api_back/ctl1', 'api_back/ctl2', 'api_back/ctl3'],
                task['zdu_haproxy']['servers'])
        add = self.guarded['block'][9]
        self.assertNotIn('run_once', add)
        self.assertEqual('{{ zdu_next_servers[inventory_hostname] }}',
                         add['zdu_haproxy']['servers'])
        self.assertEqual('{{ zdu_next_addresses[inventory_hostname] }}',
                         add['zdu_haproxy']['new_servers'])

    def test_no_roll_back_to_the_old_version_after_the_cut_over(self):
        rescue = self.guarded['rescue']
        restore = [t for t in rescue
                   if operation(t) == 'recreate_or_restart_container']
        self.assertEqual(1, len(restore))
        self.assertIn('not (zdu_cut_over', restore[0]['when'])
        after = rescue[-1]
        self.assertEqual('zdu_cut_over | default(false)', after['when'])
        self.assertIn('keeps serving from api_zdu_next',
                      after['ansible.builtin.fail']['msg'])

    def test_cleanup_keeps_the_new_servers_if_kolla_container_fails(self):
        for task in self.guarded['always'][:-1]:
            self.assertIn('zdu_served_by_kolla_container', task['when'])
        self.assertEqual(['ready', 'delete'],
                         [operation(t)
                          for t in self.guarded['always'][:2]])


class BufferPlayTestCase(base.TestCase):

    def body(self, **kwargs):
        play = plays.buffer_all(service(**kwargs), self.make_conf())
        guarded = next(t for t in play['tasks'] if 'block' in t)
        return [(operation(t), t.get('ansible.builtin.include_role',
                                     {}).get('tasks_from'))
                for t in guarded['block']], play

    def test_hold_covers_only_the_restart_and_readiness(self):
        body, play = self.body()
        self.assertEqual(
            [('api', 'config'), ('api', 'check-containers'),
             ('drain', None), ('wait_drained', None), ('maint', None),
             ('flush_handlers', None), ('uri', None), ('uri', None)], body)
        self.assertEqual('api', operation(play['tasks'][-2]))

    def test_role_with_database_handlers_runs_whole_inside_the_hold(self):
        step = model.DatabaseStep(handler='Init api database upgrade',
                                  phase='expand-migrate', host='ctl1')
        body, play = self.body(database_steps=(step,))
        self.assertEqual(
            [('api', 'config'), ('drain', None), ('wait_drained', None),
             ('maint', None), ('api', None), ('flush_handlers', None),
             ('uri', None), ('uri', None)], body)
        self.assertIn('block', play['tasks'][-1])
