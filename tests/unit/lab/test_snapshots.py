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
"""The OpenStack profiles' database dumps and ``restore``."""

import os
from unittest import mock

import fixtures

from kolla_zdu_lab import errors
from kolla_zdu_lab import heat_lab
from kolla_zdu_lab import keystone_lab
from kolla_zdu_lab import kolla_config
from kolla_zdu_lab import settings as settings_mod
from kolla_zdu_lab import snapshots
from tests.unit import base


class SnapshotTestCase(base.TestCase):

    def lab(self, profile):
        return settings_mod.LabSettings(state_dir=self.config_dir,
                                        profile=profile)

    def test_keystone_profile_dumps_keystone_once(self):
        lab = self.lab("keystone")
        with mock.patch("kolla_zdu_lab.database.dump",
                        return_value="-- dump\n") as dump:
            path = snapshots.save_snapshot(lab, "29.1.0")
            self.assertEqual(path, snapshots.save_snapshot(lab, "29.1.0"))
        dump.assert_called_once_with(("keystone",))
        self.assertEqual(lab.path("keystone-db-29.1.0.sql"), path)
        with open(path) as stream:
            self.assertEqual("-- dump\n", stream.read())

    def test_heat_profile_dumps_keystone_and_heat_together(self):
        lab = self.lab("heat")
        with mock.patch("kolla_zdu_lab.database.dump",
                        return_value="-- dump\n") as dump:
            path = snapshots.save_snapshot(lab, "26.0.2")
        dump.assert_called_once_with(("keystone", "heat"))
        self.assertEqual(lab.path("heat-db-26.0.2.sql"), path)


class RestoreTestCase(base.TestCase):

    def lab(self, profile):
        lab = settings_mod.LabSettings(state_dir=self.config_dir,
                                       profile=profile)
        kolla_config.write_globals(lab, mock.Mock())
        return lab

    def test_restore_without_dump_names_the_fix(self):
        lab = settings_mod.LabSettings(state_dir=self.config_dir,
                                       profile="keystone")
        error = self.assertRaises(errors.LabError,
                                  snapshots.restore_release, lab,
                                  "29.1.0", 10)
        self.assertIn("no database dump of keystone 29.1.0", str(error))
        self.assertIn("kolla-zdu-lab up --profile keystone", str(error))

    def test_heat_release_loads_its_dump_and_deploys_it(self):
        lab = self.lab("heat")
        with open(lab.path("heat-db-26.0.2.sql"), "w") as stream:
            stream.write("-- at 26.0.2\n")
        host = mock.Mock(version="22.2.0")
        calls = []
        loaded = self.useFixture(fixtures.MockPatch(
            "kolla_zdu_lab.database.load")).mock
        with mock.patch("kolla_zdu_lab.release_host.for_target",
                        return_value=host), \
                mock.patch.object(keystone_lab, "remove_renamed_api",
                                  side_effect=lambda *a: calls.append("rm")), \
                mock.patch("kolla_zdu_lab.deploy.run_kolla_ansible",
                           side_effect=lambda *a: calls.append(a[1])), \
                mock.patch.object(heat_lab, "wait_ready",
                                  side_effect=lambda *a: calls.append("up")):
            snapshots.restore_release(lab, "2026.1", 90)
        loaded.assert_called_once_with(b"-- at 26.0.2\n")
        self.assertEqual(["rm", "deploy", "up"], calls)
        self.assertEqual("2026.1", kolla_config.read_target(lab))

    def test_kolla_ansible_23_keeps_keystone_api(self):
        lab = self.lab("keystone")
        with open(snapshots.snapshot_path(lab, "30.0.0"), "w") as stream:
            stream.write("-- at 30.0.0\n")
        with mock.patch("kolla_zdu_lab.database.load"), \
                mock.patch("kolla_zdu_lab.release_host.for_target",
                           return_value=mock.Mock(version="23.0.0")), \
                mock.patch.object(keystone_lab,
                                  "remove_renamed_api") as remove, \
                mock.patch("kolla_zdu_lab.deploy.run_kolla_ansible"), \
                mock.patch.object(keystone_lab, "wait_ready") as ready:
            snapshots.restore_release(lab, "2026.2", 90)
        remove.assert_not_called()
        ready.assert_called_once_with(lab, 90)
        self.assertTrue(os.path.exists(snapshots.snapshot_path(lab,
                                                               "30.0.0")))
