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
import zipfile

from kolla_zdu_lab import errors
from kolla_zdu_lab import kolla_sources
from tests.unit import base


class UnpackWheelTestCase(base.TestCase):
    """kolla's image sources, in either wheel layout."""

    def wheel(self, *names):
        path = os.path.join(self.config_dir, 'kolla.whl')
        with zipfile.ZipFile(path, 'w') as archive:
            for name in names:
                archive.writestr(name, 'from %s' % name)
        return path

    def unpacked(self, target, name):
        with open(os.path.join(target, 'docker', 'base', name)) as stream:
            return stream.read()

    def test_kolla_22_data_files(self):
        name = 'kolla-22.2.0.data/data/share/kolla/docker/base/start.sh'
        target = os.path.join(self.config_dir, 'k22')
        kolla_sources.unpack_wheel(self.wheel(name, 'kolla/__init__.py'),
                                   '22.2.0', target)
        self.assertEqual('from %s' % name, self.unpacked(target, 'start.sh'))

    def test_kolla_23_package_tree(self):
        target = os.path.join(self.config_dir, 'k23')
        kolla_sources.unpack_wheel(
            self.wheel('kolla/docker/base/set_configs.py',
                       'kolla/cmd/build.py'), '23.0.0', target)
        self.assertEqual('from kolla/docker/base/set_configs.py',
                         self.unpacked(target, 'set_configs.py'))
        self.assertFalse(os.path.exists(os.path.join(target, 'cmd')))

    def test_a_wheel_without_sources_is_named(self):
        wheel = self.wheel('kolla/cmd/build.py')
        error = self.assertRaises(errors.LabError, kolla_sources.unpack_wheel,
                                  wheel, '23.0.0', self.config_dir)
        self.assertIn(wheel, str(error))
