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

import fixtures
from kolla_ansible.cmd import kolla_ansible
import yaml

from kolla_zdu_plugin.strategies import loader

from tests.unit import base
from tests.unit.cli import fakes


def imported(plays):
    return [play['import_playbook'] for play in plays
            if 'import_playbook' in play]


class PlainUpgradeTestCase(base.TestCase):
    """Without --zero-downtime the plugin must change nothing."""

    def argv(self, *extra):
        return (['upgrade', '-i', base.MULTINODE, '--configdir',
                 self.config_dir] + list(extra))

    def assert_same_command_line(self, *extra):
        code, with_plugin, _out = fakes.run_kolla_ansible(self.argv(*extra))
        code_without, without, _out = fakes.run_kolla_ansible(
            self.argv(*extra), with_hooks=False)
        self.assertEqual(0, code)
        self.assertEqual(0, code_without)
        self.assertEqual(1, without.call_count)
        self.assertEqual(without.call_args_list, with_plugin.call_args_list)
        return with_plugin.call_args

    def test_plain_upgrade_unchanged(self):
        call = self.assert_same_command_line()
        executable, args = call[0][:2]
        self.assertEqual('ansible-playbook', executable)
        self.assertIn('kolla_serial=0', args)
        self.assertTrue(args[-1].endswith('site.yml'))

    def test_plain_upgrade_with_options_unchanged(self):
        playbook = self.write_config('custom.yml', '- hosts: all\n')
        call = self.assert_same_command_line(
            '-e', 'foo=bar', '--limit', 'control01', '-p', playbook,
            '--tags', 'keystone')
        self.assertEqual(playbook, call[0][1][-1])

    def test_zdu_options_need_the_flag(self):
        code, run_command, _out = fakes.run_kolla_ansible(
            self.argv('--zdu-strategy', 'rolling'))
        self.assertNotEqual(0, code)
        run_command.assert_not_called()

    @staticmethod
    def upgrade_parser():
        app = kolla_ansible.KollaAnsibleApp()
        command_class = app.command_manager.find_command(['upgrade'])[0]
        return command_class(app, None, cmd_name='upgrade').get_parser(
            'kolla-ansible upgrade')

    def test_strategy_choices_are_the_installed_strategies(self):
        parser = self.upgrade_parser()
        for name in loader.installed_strategies():
            args = parser.parse_args(['--zero-downtime', '--zdu-strategy',
                                      name])
            self.assertEqual(name, args.zdu_strategy)
        stderr = self.useFixture(fixtures.StringStream('stderr'))
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', stderr.stream))
        self.assertRaises(SystemExit, parser.parse_args,
                          ['--zdu-strategy', 'bluegreen'])
        self.assertIn("invalid choice: 'bluegreen'",
                      stderr.getDetails()['stderr'].as_text())

    def test_help_lists_zero_downtime(self):
        text = self.upgrade_parser().format_help()
        for option in ('--zero-downtime', '--zdu-strategy',
                       '--zdu-config-file'):
            self.assertIn(option, text)


class ZeroDowntimeUpgradeTestCase(base.TestCase):

    def run_zdu(self, *extra):
        return fakes.run_kolla_ansible(
            ['upgrade', '--zero-downtime', '-i', base.MULTINODE,
             '--configdir', self.config_dir] + list(extra))

    def test_bad_option_stops_before_ansible(self):
        self.write_config('zdu.conf', '[drain]\ntimeout = -1\n')
        code, run_command, _out = self.run_zdu()
        self.assertNotEqual(0, code)
        run_command.assert_not_called()

    def test_unknown_service_override_stops_before_ansible(self):
        self.write_config('zdu.conf',
                          '[zdu]\nservice_strategies = nosuch:rolling\n')
        code, run_command, _out = self.run_zdu()
        self.assertNotEqual(0, code)
        run_command.assert_not_called()

    def test_tags_skip_tags_and_limit_are_refused(self):
        for option in (('-t', 'keystone'), ('--tags', 'keystone'),
                       ('--skip-tags', 'nova'), ('--limit', 'control01')):
            stderr = self.useFixture(fixtures.StringStream('stderr'))
            self.useFixture(fixtures.MonkeyPatch('sys.stderr',
                                                 stderr.stream))
            code, run_command, out = self.run_zdu(*option)
            self.assertNotEqual(0, code, option)
            run_command.assert_not_called()
            text = stderr.getDetails()['stderr'].as_text() + out
            self.assertIn('cannot be combined with --zero-downtime', text,
                          option)

    def test_missing_config_file_stops_before_ansible(self):
        code, run_command, _out = self.run_zdu('--zdu-config-file',
                                               '/nonexistent/zdu.conf')
        self.assertNotEqual(0, code)
        run_command.assert_not_called()

    def test_runs_the_generated_playbook(self):
        reports = os.path.join(self.config_dir, 'reports')
        self.write_config('zdu.conf', '[zdu]\nreport_dir = %s\n' % reports)
        code, run_command, out = self.run_zdu('--zdu-strategy', 'rolling')
        self.assertEqual(0, code)
        executable, args = run_command.call_args[0][:2]
        self.assertEqual('ansible-playbook', executable)
        playbook = args[-1]
        self.assertTrue(playbook.startswith(reports))
        self.assertTrue(playbook.endswith('zdu-upgrade.yml'))
        with open(playbook) as stream:
            plays = yaml.safe_load(stream)
        # nova's database plays run before its batches, the site pass
        # after every service.
        *first, site_pass = imported(plays)
        self.assertEqual(2, len(first))
        for path in first + [site_pass]:
            self.assertEqual(os.path.dirname(playbook),
                             os.path.dirname(path))
        with open(site_pass) as stream:
            site_plays = yaml.safe_load(stream)
        names = [play.get('name') for play in site_plays]
        self.assertNotIn('Apply role keystone', names)
        self.assertIn('Apply role nova', names)
        self.assertEqual(os.path.join(base.KOLLA_DIR, 'gather-facts.yml'),
                         site_plays[0]['import_playbook'])
        self.assertIn('leave out "Apply role keystone": the zero-downtime '
                      'plays upgraded keystone', out)
        self.assertIn('zdu | %s | rolling | control01' % base.KEYSTONE,
                      [play.get('name') for play in plays])
        self.assertIn('%s (keystone, container %s): rolling'
                      % (base.KEYSTONE, base.KEYSTONE_CONTAINER),
                      out)

    def test_custom_playbook_is_imported(self):
        reports = os.path.join(self.config_dir, 'reports')
        self.write_config('zdu.conf', '[zdu]\nreport_dir = %s\n' % reports)
        custom = self.write_config('custom.yml', '- hosts: all\n')
        code, run_command, _out = self.run_zdu('--zdu-strategy', 'rolling',
                                               '-p', custom)
        self.assertEqual(0, code)
        with open(run_command.call_args[0][1][-1]) as stream:
            plays = yaml.safe_load(stream)
        self.assertEqual([custom], imported(plays))
