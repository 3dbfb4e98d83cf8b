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

import json
import os
from unittest import mock

import fixtures

from kolla_zdu_lab import errors
from kolla_zdu_lab import image_recipes
from kolla_zdu_lab import inventory
from kolla_zdu_lab import release_host
from kolla_zdu_lab import settings as settings_mod
from tests.unit import base


class ReleaseHostTestCase(base.TestCase):
    """Each release's kolla-ansible, on the host or on the trixie host."""

    def lab(self, profile):
        return settings_mod.LabSettings(state_dir=self.config_dir,
                                        profile=profile)

    def host_version(self, version):
        return mock.patch.object(release_host.HostKollaAnsible, 'version',
                                 new_callable=mock.PropertyMock,
                                 return_value=version)

    def test_every_release_names_its_kolla_ansible(self):
        self.assertEqual('22.2.0',
                         release_host.release_kolla_ansible('2026.1'))
        self.assertEqual('23.0.0',
                         release_host.release_kolla_ansible('2026.2'))

    def test_keystone_moves_to_2026_2_with_kolla_ansible_23(self):
        with self.host_version('22.2.0'):
            old = release_host.for_release(self.lab('keystone'), '2026.1')
            new = release_host.for_release(self.lab('keystone'), '2026.2')
        self.assertIsInstance(old, release_host.HostKollaAnsible)
        self.assertNotIsInstance(old, release_host.ChrootKollaAnsible)
        self.assertIsInstance(new, release_host.ChrootKollaAnsible)
        self.assertEqual('23.0.0', new.version)

    def test_heat_moves_to_2026_2_with_kolla_ansible_23s_site(self):
        with self.host_version('22.2.0'):
            new = release_host.for_release(self.lab('heat'), '2026.2')
            old = release_host.for_release(self.lab('heat'), '27.0.1')
        self.assertIsInstance(new, release_host.ChrootKollaAnsible)
        self.assertEqual(new.kolla_dir + '/site.yml', new.playbook())
        self.assertNotIsInstance(old, release_host.ChrootKollaAnsible)

    def test_the_demo_profile_keeps_the_hosts_kolla_ansible(self):
        with self.host_version('22.2.0'):
            host = release_host.for_release(self.lab('demo'), '2026.2')
        self.assertNotIsInstance(host, release_host.ChrootKollaAnsible)

    def test_a_service_version_target_keeps_the_hosts_kolla_ansible(self):
        with self.host_version('22.2.0'):
            host = release_host.for_release(self.lab('keystone'), '30.0.0')
        self.assertNotIsInstance(host, release_host.ChrootKollaAnsible)

    def test_a_host_of_the_releases_series_runs_it(self):
        with self.host_version('23.0.1'):
            host = release_host.for_release(self.lab('keystone'), '2026.2')
        self.assertNotIsInstance(host, release_host.ChrootKollaAnsible)

    def test_chroot_command_names_its_own_kolla_ansible(self):
        lab = self.lab('keystone')
        host = release_host.ChrootKollaAnsible(lab, '23.0.0', root='/r')
        argv = host.argv('upgrade', '--zero-downtime')
        self.assertEqual(['chroot', '/r', '/usr/bin/env', '-i'], argv[:4])
        venv = '/opt/kolla-zdu-deploy-23.0.0'
        start = argv.index(venv + '/bin/kolla-ansible')
        self.assertEqual(
            ['upgrade', '-i', lab.path('inventory-kolla-ansible-23'),
             '--configdir', lab.config_dir, '-p',
             venv + '/share/kolla-ansible/ansible/site.yml',
             '--zero-downtime'], argv[start + 1:])
        variables = dict(item.split('=', 1) for item in argv[4:start])
        self.assertEqual(os.path.join(lab.config_dir,
                                      'ansible-kolla-ansible-23.cfg'),
                         variables['ANSIBLE_CONFIG'])
        self.assertTrue(variables['ANSIBLE_ROLES_PATH'].endswith(
            venv + '/share/kolla-ansible/ansible/roles'))
        self.assertTrue(variables['PATH'].startswith(venv + '/bin:'))

    def test_chroot_inventory_carries_its_kolla_group_vars(self):
        lab = self.lab('keystone')
        kolla = '/opt/kolla-zdu-deploy-23.0.0/share/kolla-ansible/ansible'
        path = inventory.write_inventory(lab, kolla, lab.path('inv-23'))
        self.assertEqual(kolla + '/group_vars/all', os.readlink(
            os.path.join(path, 'group_vars', 'all')))
        cfg = inventory.render_ansible_cfg(lab, kolla)
        self.assertIn('library = %s/library' % kolla, cfg)
        self.assertIn('filter_plugins = %s/filter_plugins' % kolla, cfg)
        self.assertIn('callbacks_enabled = ansible.posix.profile_tasks', cfg)

    def test_plugin_digest_follows_the_source(self):
        source = self.useFixture(fixtures.TempDir()).path
        os.makedirs(os.path.join(source, 'kolla_zdu_plugin', '__pycache__'))
        with open(os.path.join(source, 'setup.cfg'), 'w') as stream:
            stream.write('[metadata]\n')
        module = os.path.join(source, 'kolla_zdu_plugin', 'plan.py')
        with open(module, 'w') as stream:
            stream.write('A = 1\n')
        first = release_host.plugin_digest(source)
        with open(os.path.join(source, 'kolla_zdu_plugin', '__pycache__',
                               'plan.pyc'), 'w') as stream:
            stream.write('cache')
        self.assertEqual(first, release_host.plugin_digest(source))
        with open(module, 'w') as stream:
            stream.write('A = 2\n')
        self.assertNotEqual(first, release_host.plugin_digest(source))

    def test_plugin_source_is_the_editable_checkout(self):
        distribution = mock.Mock()
        distribution.read_text.return_value = json.dumps(
            {'url': 'file:///src/kolla-zdu', 'dir_info': {'editable': True}})
        with mock.patch.dict(os.environ, {}, clear=False), \
                mock.patch.object(release_host.importlib.metadata,
                                  'distribution', return_value=distribution):
            os.environ.pop('ZDU_PLUGIN_SOURCE', None)
            self.assertEqual('/src/kolla-zdu',
                             release_host.plugin_source_dir())
            distribution.read_text.return_value = None
            # From the checkout, whose egg-info hides the install.
            self.assertTrue(os.path.isfile(os.path.join(
                release_host.plugin_source_dir(), 'setup.cfg')))
            with mock.patch.object(release_host.kolla_zdu_plugin, '__file__',
                                   '/site-packages/kolla_zdu_plugin/x.py'):
                error = self.assertRaises(errors.LabError,
                                          release_host.plugin_source_dir)
        self.assertIn('ZDU_PLUGIN_SOURCE', str(error))

    def test_a_bind_mount_of_the_same_file_system_is_a_mount(self):
        mounts = os.path.join(self.config_dir, 'mounts')
        with open(mounts, 'w') as stream:
            stream.write('/dev/vda / ext4 rw 0 0\n'
                         '/dev/vda /r/var/lib/lab ext4 rw 0 0\n')
        self.assertTrue(release_host._is_mount('/r/var/lib/lab', mounts))
        self.assertFalse(release_host._is_mount('/r/var/lib', mounts))


class RenamedImagesTestCase(base.TestCase):
    """2026.2 pushes keystone's API image as keystone-api too."""

    def test_keystone_api_is_the_2026_2_keystone_image(self):
        renamed = image_recipes.release_renamed_images('keystone', '2026.2')
        self.assertEqual(
            {'release-2026.2-keystone-api-30.0.0':
             ('keystone-30.0.0', 'keystone-api')}, renamed)
        name = 'release-2026.2-keystone-api-30.0.0'
        self.assertEqual('keystone-api', image_recipes.KOLLA_IMAGES[name])
        self.assertEqual('2026.2', image_recipes.RECIPES[name].registry_tag)
        self.assertEqual(
            image_recipes.RECIPES['release-2026.2-keystone-30.0.0'].parent,
            image_recipes.RECIPES[name].parent)

    def test_no_rename_before_2026_2_or_in_the_demo(self):
        self.assertEqual({}, image_recipes.release_renamed_images(
            'keystone', '2026.1'))
        self.assertEqual({}, image_recipes.release_renamed_images(
            'demo', '2026.2'))
