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

import io
import os
from unittest import mock

import yaml

from kolla_zdu_lab import errors
from kolla_zdu_lab import keystone_lab
from kolla_zdu_lab import settings as settings_mod
from tests.unit import base


class FakeAdmin(object):
    """An admin session over an in-memory keystone."""

    def __init__(self, known=(), missing_roles=()):
        self.known = {"projects": {}, "users": {}}
        for collection, name in known:
            self.known[collection][name] = "%s-id" % name
        self.missing_roles = missing_roles
        self.calls = []

    def _reply(self, document):
        return mock.Mock(json=mock.Mock(return_value=document))

    def get(self, url, params=None):
        self.calls.append(("GET", url))
        collection = url.rsplit("/", 1)[1]
        if collection == "roles":
            name = params["name"]
            return self._reply({"roles": [] if name in self.missing_roles
                                else [{"id": "%s-id" % name}]})
        found = self.known[collection].get(params["name"])
        return self._reply({collection: [{"id": found}] if found else []})

    def post(self, url, json):
        self.calls.append(("POST", url))
        collection = url.rsplit("/", 1)[1]
        body = json[collection[:-1]]
        self.known[collection][body["name"]] = "%s-id" % body["name"]
        return self._reply({collection[:-1]: {"id": "%s-id" % body["name"]}})

    def patch(self, url, json):
        self.calls.append(("PATCH", url))

    def put(self, url):
        self.calls.append(("PUT", url))


class ProbeAccountTestCase(base.TestCase):

    def setUp(self):
        super(ProbeAccountTestCase, self).setUp()
        self.lab = settings_mod.LabSettings(state_dir=self.config_dir,
                                            profile="keystone")
        os.makedirs(self.lab.config_dir)
        with open(os.path.join(self.lab.config_dir, "passwords.yml"),
                  "w") as stream:
            yaml.safe_dump({"keystone_admin_password": "adminpw",
                            "database_password": "dbpw"}, stream)

    def ensure(self, admin):
        with mock.patch.object(keystone_lab, "_admin_session",
                               return_value=admin):
            return keystone_lab.ensure_probe_account(self.lab)

    def test_creates_user_and_writes_clouds(self):
        admin = FakeAdmin()
        self.assertEqual(keystone_lab.PROBE_CLOUD, self.ensure(admin))
        url = self.lab.keystone_url
        self.assertIn(("POST", url + "/users"), admin.calls)
        role_url = url + "/projects/zdu-probe-id/users/zdu-probe-id/roles/"
        self.assertIn(("PUT", role_url + "member-id"), admin.calls)
        clouds = keystone_lab.read_clouds(self.lab)
        auth = clouds[keystone_lab.PROBE_CLOUD]["auth"]
        self.assertEqual(url, auth["auth_url"])
        self.assertEqual("zdu-probe", auth["username"])
        self.assertEqual("adminpw",
                         clouds[keystone_lab.ADMIN_CLOUD]["auth"]["password"])
        self.assertEqual(0o600, os.stat(
            keystone_lab.clouds_path(self.lab)).st_mode & 0o777)

    def test_rerun_keeps_the_password_and_resets_it(self):
        self.ensure(FakeAdmin())
        first = keystone_lab.read_clouds(self.lab)
        admin = FakeAdmin(known=[("projects", "zdu-probe"),
                                 ("users", "zdu-probe")])
        self.ensure(admin)
        self.assertEqual(first, keystone_lab.read_clouds(self.lab))
        self.assertNotIn(("POST", self.lab.keystone_url + "/users"),
                         admin.calls)
        user_url = self.lab.keystone_url + "/users/zdu-probe-id"
        self.assertIn(("PATCH", user_url), admin.calls)

    def test_missing_member_role_names_keystone_bootstrap(self):
        admin = FakeAdmin(missing_roles=("member",))
        error = self.assertRaises(errors.LabError, self.ensure, admin)
        self.assertIn("keystone has no role 'member'; keystone-manage "
                      "bootstrap creates it", str(error))
        self.assertFalse(os.path.exists(keystone_lab.clouds_path(self.lab)))


class WaitTestCase(base.TestCase):

    def test_keystone_version_document(self):
        reply = mock.MagicMock()
        reply.__enter__.return_value = io.BytesIO(
            b'{"version": {"id": "v3.14", "status": "stable"}}')
        with mock.patch("urllib.request.urlopen", return_value=reply):
            self.assertEqual("v3.14", keystone_lab.api_version("http://k"))

    def test_gives_up_after_the_timeout_naming_url_and_hint(self):
        clock = iter(range(0, 100, 5))
        answer = mock.Mock(side_effect=errors.LabError(reason="refused"))
        with mock.patch("time.monotonic", side_effect=lambda: next(clock)), \
                mock.patch("time.sleep"):
            error = self.assertRaises(errors.LabError,
                                      keystone_lab.wait_for_answer,
                                      "http://k/v3", answer, 12, "the logs")
        self.assertEqual(3, answer.call_count)
        self.assertIn("http://k/v3 did not answer within 12 s (refused)",
                      str(error))
        self.assertIn("the logs", str(error))

    def test_returns_the_first_answer(self):
        answer = mock.Mock(side_effect=[errors.LabError(reason="refused"),
                                        "v3.14"])
        with mock.patch("time.sleep") as sleep:
            self.assertEqual("v3.14", keystone_lab.wait_for_answer(
                "http://k/v3", answer, 60, "the logs"))
        sleep.assert_called_once_with(2)
