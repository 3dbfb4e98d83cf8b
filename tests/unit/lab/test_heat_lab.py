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
"""The heat profile around kolla-ansible: database, APIs, probe, status."""

import io
import json
import os
from unittest import mock
import urllib.error

import fixtures
import yaml

from kolla_zdu_lab import errors
from kolla_zdu_lab import heat_lab
from kolla_zdu_lab import keystone_lab
from kolla_zdu_lab import kolla_config
from kolla_zdu_lab import settings as settings_mod
from tests.unit import base
from tests.unit.lab import test_keystone_lab

VERSIONS = {"versions": [
    {"id": "v1.0", "status": "CURRENT",
     "links": [{"href": "http://vip:8004/v1/", "rel": "self"}]}]}


def multiple_choices(url, document=VERSIONS):
    """Return the HTTPError urllib raises for heat's 300 version list."""
    return urllib.error.HTTPError(
        url, 300, "Multiple Choices", {},
        io.BytesIO(json.dumps(document).encode()))


class HeatLabTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.lab = settings_mod.LabSettings(state_dir=self.config_dir,
                                            profile="heat")
        os.makedirs(self.lab.config_dir)
        with open(os.path.join(self.lab.config_dir, "passwords.yml"),
                  "w") as stream:
            yaml.safe_dump({"keystone_admin_password": "adminpw",
                            "database_password": "dbpw",
                            "keystone_database_password": "kspw",
                            "heat_database_password": "heatpw"}, stream)

    def test_database_holds_keystone_and_heat(self):
        builder = mock.Mock()
        with mock.patch("kolla_zdu_lab.database.ensure_database") as ensure:
            heat_lab.ensure_database(self.lab, builder)
        ensure.assert_called_once_with(
            self.lab, builder, "dbpw",
            [("keystone", "keystone", "kspw"), ("heat", "heat", "heatpw")])

    def test_version_list_answered_with_multiple_choices(self):
        url = self.lab.heat_url
        with mock.patch("urllib.request.urlopen",
                        side_effect=multiple_choices(url)):
            self.assertEqual("v1.0", heat_lab.api_version(url))

    def test_an_error_status_is_no_answer(self):
        url = self.lab.heat_cfn_url
        error = urllib.error.HTTPError(url, 503, "Service Unavailable", {},
                                       io.BytesIO(b"<html>"))
        with mock.patch("urllib.request.urlopen", side_effect=error):
            raised = self.assertRaises(errors.LabError,
                                       heat_lab.api_version, url)
        self.assertIn(url, str(raised))
        self.assertIn("503", str(raised))

    def test_no_current_version_is_no_answer(self):
        url = self.lab.heat_url
        old = {"versions": [{"id": "v0.9", "status": "DEPRECATED"}]}
        with mock.patch("urllib.request.urlopen",
                        side_effect=multiple_choices(url, old)):
            raised = self.assertRaises(errors.LabError,
                                       heat_lab.api_version, url)
        self.assertIn("no current version", str(raised))

    def test_ready_once_keystone_and_both_apis_answer(self):
        answered = []
        with mock.patch.object(keystone_lab, "wait_ready") as keystone, \
                mock.patch.object(keystone_lab, "wait_for_answer",
                                  side_effect=lambda url, *args:
                                  answered.append(url)):
            heat_lab.wait_ready(self.lab, 30)
        keystone.assert_called_once_with(self.lab, 30)
        self.assertEqual(["http://172.30.99.250:8004/",
                          "http://172.30.99.250:8000/"], answered)

    def test_vip_serves_both_apis_or_why_not(self):
        def urlopen(url, timeout):
            if url.endswith(":8000/"):
                raise urllib.error.URLError("connection refused")
            raise multiple_choices(url)

        with mock.patch("urllib.request.urlopen", side_effect=urlopen):
            served = heat_lab.vip_serves(self.lab)
        self.assertTrue(served.startswith("orchestration v1.0, "
                                          "cloudformation: no answer ("),
                        served)
        self.assertIn("connection refused", served)


class ProbeAccountTestCase(HeatLabTestCase):

    def ensure(self, admin):
        with mock.patch.object(keystone_lab, "_admin_session",
                               return_value=admin):
            return heat_lab.ensure_probe_account(self.lab)

    def granted(self, admin):
        role_url = (self.lab.keystone_url +
                    "/projects/zdu-probe-id/users/zdu-probe-id/roles/")
        return [url[len(role_url):] for method, url in admin.calls
                if method == "PUT" and url.startswith(role_url)]

    def test_probe_is_member_and_stack_owner(self):
        admin = test_keystone_lab.FakeAdmin()
        kolla_config.write_globals(self.lab, mock.Mock())
        self.assertEqual(keystone_lab.PROBE_CLOUD, self.ensure(admin))
        self.assertEqual(["member-id", "heat_stack_owner-id"],
                         self.granted(admin))

    def test_the_operators_stack_owner_role_is_used(self):
        kolla_config.write_globals(self.lab, mock.Mock())
        kolla_config.set_globals(kolla_config.globals_path(self.lab),
                                 {"heat_stack_owner_role": "stack_owner"})
        admin = test_keystone_lab.FakeAdmin()
        self.ensure(admin)
        self.assertEqual(["member-id", "stack_owner-id"],
                         self.granted(admin))

    def test_a_missing_role_names_what_creates_it(self):
        kolla_config.write_globals(self.lab, mock.Mock())
        admin = test_keystone_lab.FakeAdmin(
            missing_roles=("heat_stack_owner",))
        error = self.assertRaises(errors.LabError, self.ensure, admin)
        self.assertIn("'heat_stack_owner'", str(error))
        self.assertIn("kolla-ansible's heat role creates it", str(error))


class NodeReleaseTestCase(base.TestCase):

    def node_exec(self, answers):
        def answer(node, *args, **kwargs):
            self.assertEqual("node2", node)
            self.assertEqual(("docker", "exec"), args[:2])
            self.assertEqual(heat_lab.VERSION_COMMAND, args[3:])
            return answers.get(args[2], "")
        return self.useFixture(fixtures.MockPatch(
            "kolla_zdu_lab.dockercli.node_exec", side_effect=answer)).mock

    def test_every_container_on_one_release(self):
        self.node_exec({name: "26.0.2\n" for name in heat_lab.CONTAINERS})
        with mock.patch.object(keystone_lab, "node_serves",
                               return_value="keystone 29.1.0"):
            self.assertEqual("keystone 29.1.0, heat 26.0.2",
                             heat_lab.node_serves("node2"))

    def test_containers_apart_are_named(self):
        self.node_exec({"heat_api": "27.0.1\n", "heat_api_cfn": "26.0.2\n"})
        self.assertEqual(
            "heat_api 27.0.1, heat_api_cfn 26.0.2, heat_engine absent",
            heat_lab.describe_release(heat_lab.node_release("node2")))

    def test_no_container_is_no_heat(self):
        self.node_exec({})
        self.assertEqual("no heat", heat_lab.describe_release(
            heat_lab.node_release("node2")))
