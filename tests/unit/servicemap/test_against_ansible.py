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
"""The service map against what ansible-playbook itself renders.

A small playbook applies, to the first host of each service's group, a
role that holds only the kolla role's defaults, and prints the fields of
``<project>_services`` the plan uses. It runs on kolla-ansible's multinode
inventory, with kolla's group_vars and filters and the test's globals.yml
passed as ``-e``, as kolla-ansible passes it.
"""

import json
import os
import subprocess
import sys

import yaml

from kolla_zdu_plugin.servicemap import builder
from kolla_zdu_plugin.servicemap import deployment
from tests.unit import base

ROLES = ('keystone', 'glance', 'nova', 'placement', 'neutron', 'heat',
         'cinder', 'horizon')
GLOBALS = base.CONTROL_PLANE_GLOBALS + 'enable_haproxy: "yes"\n'
# Every field the plan reads, per service and per HAProxy entry.
PRINT = r"""{%- set out = {} -%}
{%- for name, svc in services.items() if 'haproxy' in svc -%}
{%- set entries = {} -%}
{%- for key, entry in svc.haproxy.items() -%}
{%- set _ = entries.update({key: {
      'enabled': entry.enabled | bool,
      'port': entry.port | default('') | string,
      'listen_port': (entry.listen_port | default(entry.port | default('')))
                     | string,
      'mode': entry.mode | default('http')}}) -%}
{%- endfor -%}
{%- set _ = out.update({name: {
      'enabled': svc.enabled | bool,
      'group': svc.group,
      'image': svc.image,
      'container_name': svc.container_name,
      'haproxy': entries}}) -%}
{%- endfor -%}
{{ out | to_json }}"""


class AgainstAnsibleTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.write_config('globals.yml', GLOBALS)

    def ansible_services(self):
        """Return ``{service: fields}`` as ansible-playbook renders them."""
        work = os.path.join(self.config_dir, 'ansible')
        roles = os.path.join(work, 'roles')
        plays = []
        for role in ROLES:
            os.makedirs(os.path.join(roles, role, 'tasks'))
            os.symlink(os.path.join(base.KOLLA_DIR, 'roles', role,
                                    'defaults'),
                       os.path.join(roles, role, 'defaults'))
            with open(os.path.join(roles, role, 'tasks', 'main.yml'),
                      'w') as stream:
                stream.write('---\n- name: Print the services\n'
                             '  ansible.builtin.debug:\n'
                             '    msg: "ZDU %s {{ lookup(\'template\', '
                             '\'print.j2\') | trim }}"\n'
                             '  vars:\n'
                             '    services: "{{ %s_services }}"\n'
                             % (role, role))
            os.makedirs(os.path.join(roles, role, 'templates'))
            with open(os.path.join(roles, role, 'templates', 'print.j2'),
                      'w') as stream:
                stream.write(PRINT)
            plays.append({'name': role, 'hosts': '%s[0]' % role,
                          'gather_facts': False, 'roles': [role]})
        os.symlink(os.path.join(base.KOLLA_DIR, 'group_vars'),
                   os.path.join(work, 'group_vars'))
        playbook = os.path.join(work, 'print.yml')
        with open(playbook, 'w') as stream:
            yaml.safe_dump(plays, stream)
        env = dict(os.environ,
                   ANSIBLE_FILTER_PLUGINS=os.path.join(base.KOLLA_DIR,
                                                       'filter_plugins'),
                   ANSIBLE_STDOUT_CALLBACK='ansible.builtin.default',
                   ANSIBLE_TRANSFORM_INVALID_GROUP_CHARS='ignore')
        done = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable),
                          'ansible-playbook'), '-i', base.MULTINODE,
             '-e', '@' + os.path.join(self.config_dir, 'globals.yml'),
             playbook], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, timeout=300)
        self.assertEqual(0, done.returncode, done.stdout[-3000:])
        found = {}
        for line in done.stdout.splitlines():
            line = line.strip()
            if line.startswith('"msg": "ZDU '):
                text = json.loads(line[len('"msg": '):])
                role, _, printed = text[len('ZDU '):].partition(' ')
                for name, fields in json.loads(printed).items():
                    found[name] = dict(fields, role=role)
        self.assertEqual(set(ROLES), {f['role'] for f in found.values()})
        return found

    def test_service_map_is_what_ansible_renders(self):
        target = deployment.Deployment([base.MULTINODE], self.config_dir)
        services = builder.ServiceMapBuilder(target).build().by_name()
        rendered = self.ansible_services()
        groups = target.groups
        for name, fields in rendered.items():
            entries = {key: entry for key, entry in fields['haproxy'].items()
                       if entry['enabled'] and entry['mode'] != 'redirect'}
            expected_in_map = (fields['enabled'] and bool(entries)
                               and bool(groups.get(fields['group'])))
            if not expected_in_map:
                self.assertNotIn(name, services)
                continue
            self.assertIn(name, services)
            service = services[name]
            self.assertEqual(fields['role'], service.project, name)
            self.assertEqual(fields['image'], service.image, name)
            self.assertEqual(fields['container_name'],
                             service.container_name, name)
            self.assertEqual(fields['group'], service.group, name)
            for backend in service.backends:
                entry = entries[backend.name]
                self.assertEqual(entry['port'], str(backend.port),
                                 backend.name)
                self.assertEqual(entry['listen_port'],
                                 str(backend.listen_port), backend.name)
        self.assertGreaterEqual(
            len([n for n in services if n in rendered]), 10)
