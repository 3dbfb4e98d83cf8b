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
"""The lab's site.yml: its syntax, and the play installing the hold."""

import grp
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys

import yaml

from kolla_zdu_lab import buffer_hold
from kolla_zdu_lab import inventory
from kolla_zdu_lab import paths
from kolla_zdu_lab import settings as settings_mod
from kolla_zdu_plugin.haproxy import hold_config
from tests.unit import base

HOLD_PLAY = 'Install the HAProxy hold of the buffer strategy'
LOADBALANCER_PLAY = 'Apply role loadbalancer'
ANSIBLE_PLAYBOOK = os.path.join(paths.venv_bin_dir(), 'ansible-playbook')
NICE = ['nice', '-n', '19'] if shutil.which('nice') else []
RECAP = re.compile(r'^localhost\s*:.*\bchanged=(\d+).*\bfailed=(\d+)', re.M)


def load_site():
    """Return the plays of the lab's site.yml by name."""
    with open(paths.lab_playbook()) as source:
        return {play['name']: play for play in yaml.safe_load(source)}


def ansible_playbook(directory, args, **env):
    """Run ansible-playbook on localhost; its home and temp in directory.

    It runs niced: timing tests in other workers must not wait for it.

    :returns: ``(return code, stdout and stderr)``.
    """
    result = subprocess.run(
        NICE + [ANSIBLE_PLAYBOOK, '-i', 'localhost,'] + list(args),
        capture_output=True, text=True, cwd=directory, timeout=120,
        env=dict(os.environ, HOME=directory, ANSIBLE_NOCOLOR='1',
                 ANSIBLE_STDOUT_CALLBACK='default',
                 ANSIBLE_LOCAL_TEMP=os.path.join(directory, 'tmp'), **env))
    return result.returncode, result.stdout + result.stderr


class SiteTestCase(base.TestCase):

    def test_syntax_with_the_lab_ansible_cfg(self):
        lab = settings_mod.LabSettings(state_dir=self.config_dir)
        code, output = ansible_playbook(
            self.config_dir, ['--syntax-check', paths.lab_playbook()],
            ANSIBLE_CONFIG=inventory.write_ansible_cfg(lab))
        self.assertEqual(0, code, output)

    def test_hold_play_runs_like_the_loadbalancer_play_before_it(self):
        plays = load_site()
        names = list(plays)
        self.assertEqual(names.index(LOADBALANCER_PLAY) - 1,
                         names.index(HOLD_PLAY))
        for key in ('hosts', 'serial', 'max_fail_percentage', 'tags'):
            self.assertEqual(plays[LOADBALANCER_PLAY][key],
                             plays[HOLD_PLAY][key], key)
        service_configs = plays[LOADBALANCER_PLAY]['tasks'][0]['when']
        hold_when = plays[HOLD_PLAY]['tasks'][0]['when']
        self.assertEqual(service_configs, hold_when[:len(service_configs)])


class HoldPlayTestCase(base.TestCase):
    """The hold play from site.yml, run on localhost into a temp dir."""

    def setUp(self):
        super().setUp()
        self.custom_dir = buffer_hold.write_files(self.config_dir)
        self.node_dir = os.path.join(self.config_dir, 'node')
        self.lua = os.path.join(self.node_dir, 'haproxy', 'services.d',
                                hold_config.LUA_FILE)
        play = dict(load_site()[HOLD_PLAY], hosts='localhost')
        self.playbook = self.write_config('hold.yml', yaml.safe_dump([play]))

    def run_play(self, succeeds=True):
        """Run the play; return ``(changed tasks, output)``."""
        variables = {
            'kolla_action': 'deploy', 'enable_haproxy': True,
            'node_config_directory': self.node_dir,
            'node_custom_config': os.path.join(self.config_dir, 'config'),
            'config_owner_user': pwd.getpwuid(os.getuid()).pw_name,
            'config_owner_group': grp.getgrgid(os.getgid()).gr_name,
            'ansible_become': False, 'ansible_connection': 'local',
            'ansible_python_interpreter': sys.executable}
        code, output = ansible_playbook(
            self.config_dir, ['-e', json.dumps(variables), self.playbook])
        self.assertEqual(succeeds, code == 0, output)
        changed, failed = RECAP.search(output).groups()
        self.assertEqual(not succeeds, failed != '0', output)
        return int(changed), output

    def remove_custom_file(self, name):
        os.remove(os.path.join(self.custom_dir, name))

    def test_installs_lua_script_once(self):
        self.assertEqual(2, self.run_play()[0])
        with open(self.lua) as lua:
            self.assertEqual(hold_config.LUA_SCRIPT, lua.read())
        self.assertEqual(0o660, stat.S_IMODE(os.stat(self.lua).st_mode))
        self.assertEqual(0o770, stat.S_IMODE(
            os.stat(os.path.dirname(self.lua)).st_mode))
        self.assertEqual(0, self.run_play()[0])

    def test_skipped_without_global_file(self):
        self.remove_custom_file(hold_config.GLOBAL_FILE)
        self.assertEqual(0, self.run_play()[0])
        self.assertFalse(os.path.exists(self.node_dir))

    def test_fails_when_global_file_lacks_its_script(self):
        self.remove_custom_file(hold_config.LUA_FILE)
        output = self.run_play(succeeds=False)[1]
        self.assertIn("Could not find or access '%s'" % os.path.join(
            self.custom_dir, hold_config.LUA_FILE), output)
        self.assertFalse(os.path.exists(self.lua))
