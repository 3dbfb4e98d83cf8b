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
"""Run kolla-ansible's real cliff application with Ansible captured."""

import io
from unittest import mock

from kolla_ansible.cmd import kolla_ansible


def run_kolla_ansible(argv, with_hooks=True):
    """Run ``kolla-ansible argv``; never start ansible-playbook.

    :returns: ``(return code, captured run_command mock, stdout text)``.
    """
    stdout = io.StringIO()
    patches = [mock.patch('kolla_ansible.utils.run_command'),
               mock.patch('sys.stdout', stdout)]
    if not with_hooks:
        patches.append(mock.patch(
            'cliff.command.Command._load_hooks',
            lambda self: setattr(self, '_hooks', [])))
    with patches[0] as run_command, patches[1]:
        if with_hooks:
            code = kolla_ansible.KollaAnsibleApp().run(argv)
        else:
            with patches[2]:
                code = kolla_ansible.KollaAnsibleApp().run(argv)
    return code, run_command, stdout.getvalue()
