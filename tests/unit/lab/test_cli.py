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
"""What ``kolla-zdu-lab`` prints and which profile each command takes."""

import argparse

from kolla_zdu_lab import cli
from kolla_zdu_lab import errors
from kolla_zdu_lab import settings as settings_mod
from tests.unit import base


class CliTestCase(base.TestCase):

    def lab(self, profile):
        lab = settings_mod.LabSettings(state_dir=self.config_dir,
                                       profile=profile)
        lab.save()
        return lab

    def test_up_names_every_heat_profile_url(self):
        self.assertEqual(
            "heat through the VIP: http://172.30.99.250:8004/ (runs 2026.1)\n"
            "heat-api-cfn through the VIP: http://172.30.99.250:8000/\n"
            "keystone through the VIP: http://172.30.99.250:5000/v3",
            cli.format_urls(self.lab("heat"), "2026.1"))

    def test_up_names_the_keystone_url_as_before(self):
        self.assertEqual(
            "keystone through the VIP: http://172.30.99.250:5000/v3 "
            "(runs 29.1.0)", cli.format_urls(self.lab("keystone"), "29.1.0"))
        self.assertEqual("http://172.30.99.250:9797/",
                         self.lab("demo").service_url)

    def test_restore_takes_either_openstack_profile(self):
        args = argparse.Namespace(state_dir=self.config_dir)
        self.lab("heat")
        self.assertEqual("heat", cli.load_for_profile(
            args, settings_mod.KOLLA_SITE_PROFILES, "restore").profile)
        self.lab("demo")
        error = self.assertRaises(
            errors.LabError, cli.load_for_profile, args,
            settings_mod.KOLLA_SITE_PROFILES, "restore", "use target")
        self.assertIn("restore applies to the keystone and heat profiles; "
                      "this lab runs the demo profile (use target)",
                      str(error))

    def test_one_profile_reads_as_before(self):
        args = argparse.Namespace(state_dir=self.config_dir)
        self.lab("heat")
        error = self.assertRaises(errors.LabError, cli.load_for_profile,
                                  args, "demo", "demo")
        self.assertIn("demo applies to the demo profile; this lab runs the "
                      "heat profile", str(error))

    def test_restore_accepts_heat_releases(self):
        args = cli.build_parser().parse_args(["restore", "27.0.1"])
        self.assertEqual("27.0.1", args.version)
        args = cli.build_parser().parse_args(["up", "--profile", "heat"])
        self.assertEqual("heat", args.profile)
