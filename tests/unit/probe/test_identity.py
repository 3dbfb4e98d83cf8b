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
"""Keystone credentials from options and clouds.yaml."""

import os

import fixtures
from oslotest import base
import yaml

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.probe import clouds
from kolla_zdu_plugin.probe import identity
from kolla_zdu_plugin.probe import settings as settings_mod

_CLOUD = {
    "auth": {"auth_url": "https://keystone.example.org:5000",
             "username": "admin", "password": "cloud-secret",
             "project_name": "admin", "domain_name": "Lab"},
    "region_name": "RegionOne",
}


def _settings(**overrides):
    values = dict(urls=(), rate=10.0, duration=1.0)
    values.update(overrides)
    return settings_mod.ProbeSettings(**values)


class _CloudsTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.MockPatchObject(
            clouds, "CONFIG_DIRS", (os.path.join(self.tmp, "cwd"),
                                    os.path.join(self.tmp, "etc"))))

    def write(self, directory, name, data):
        path = os.path.join(self.tmp, directory, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as clouds_file:
            yaml.safe_dump(data, clouds_file)
        return path


class TestCredentials(_CloudsTest):

    def test_options(self):
        credentials = identity.credentials_from_settings(_settings(
            keystone="http://192.0.2.1:5000", os_username="probe",
            os_password="pw", os_project_name="service"))
        self.assertEqual("http://192.0.2.1:5000/v3", credentials.v3_url)
        self.assertEqual("http://192.0.2.1:5000/v3/auth/tokens",
                         credentials.tokens_url)
        self.assertEqual(("Default", "Default"),
                         (credentials.user_domain_name,
                          credentials.project_domain_name))
        self.assertEqual("--keystone", credentials.auth_url_source)
        self.assertTrue(credentials.verify)

    def test_endpoint_forms(self):
        for url in ("http://h:5000", "http://h:5000/", "http://h:5000/v3",
                    "http://h:5000/v3/"):
            credentials = identity.credentials_from_settings(_settings(
                keystone=url, os_username="u", os_password="p",
                os_project_name="p"))
            self.assertEqual("http://h:5000/v3", credentials.v3_url, url)
        credentials = identity.credentials_from_settings(_settings(
            keystone="https://h/identity", os_username="u", os_password="p",
            os_project_name="p"))
        self.assertEqual("https://h/identity/v3", credentials.v3_url)

    def test_password_is_not_in_repr(self):
        credentials = identity.credentials_from_settings(_settings(
            keystone="http://h:5000", os_username="u", os_password="hidden",
            os_project_name="p", insecure=True))
        self.assertNotIn("hidden", repr(credentials))
        self.assertNotIn("hidden", credentials.describe())
        self.assertFalse(credentials.verify)

    def test_cloud(self):
        path = self.write("etc", "clouds.yaml", {"clouds": {"lab": _CLOUD}})
        credentials = identity.credentials_from_settings(
            _settings(os_cloud="lab"))
        self.assertEqual(("admin", "cloud-secret", "admin"),
                         (credentials.username, credentials.password,
                          credentials.project_name))
        self.assertEqual(("Lab", "Lab"), (credentials.user_domain_name,
                                          credentials.project_domain_name))
        self.assertEqual("https://keystone.example.org:5000/v3",
                         credentials.v3_url)
        self.assertIn("cloud 'lab' in %s" % path, credentials.describe())

    def test_options_override_the_cloud(self):
        cloud = dict(_CLOUD, auth=dict(_CLOUD["auth"], project_id="p-id"))
        self.write("cwd", "clouds.yaml", {"clouds": {"lab": cloud}})
        credentials = identity.credentials_from_settings(_settings(
            os_cloud="lab", keystone="http://192.0.2.9:5000/v3",
            os_username="probe", os_project_name="service",
            os_user_domain_name="Default"))
        self.assertEqual("http://192.0.2.9:5000/v3", credentials.v3_url)
        self.assertEqual(("probe", "cloud-secret", "service", None),
                         (credentials.username, credentials.password,
                          credentials.project_name, credentials.project_id))
        self.assertEqual(("Default", "Lab"),
                         (credentials.user_domain_name,
                          credentials.project_domain_name))

    def test_secure_yaml_holds_the_password(self):
        auth = dict(_CLOUD["auth"])
        del auth["password"]
        self.write("etc", "clouds.yaml",
                   {"clouds": {"lab": dict(_CLOUD, auth=auth)}})
        self.write("cwd", "secure.yaml",
                   {"clouds": {"lab": {"auth": {"password": "kept-apart"}}}})
        credentials = identity.credentials_from_settings(
            _settings(os_cloud="lab"))
        self.assertEqual("kept-apart", credentials.password)
        self.assertEqual("admin", credentials.username)

    def test_config_file_option(self):
        path = self.write("elsewhere", "kolla.yaml",
                          {"clouds": {"kolla-admin": dict(
                              _CLOUD, cacert="/etc/kolla/ca.crt")}})
        credentials = identity.credentials_from_settings(_settings(
            os_cloud="kolla-admin", os_client_config_file=path))
        self.assertEqual("/etc/kolla/ca.crt", credentials.verify)


class TestCredentialErrors(_CloudsTest):

    def assertInvalid(self, expected, **overrides):
        exc = self.assertRaises(exceptions.ProbeError,
                                _settings(**overrides).validate)
        for text in expected:
            self.assertIn(text, str(exc))

    def test_missing_options(self):
        given = dict(keystone="http://h:5000", os_username="u",
                     os_password="p", os_project_name="p")
        for option, field in (("--os-username", "os_username"),
                              ("--os-password", "os_password"),
                              ("--os-project-name", "os_project_name")):
            self.assertInvalid([option], **dict(given, **{field: None}))

    def test_no_clouds_file(self):
        self.assertInvalid(["--os-cloud lab", "no clouds.yaml",
                            "--os-client-config-file"], os_cloud="lab")

    def test_unknown_cloud(self):
        self.write("etc", "clouds.yaml", {"clouds": {"lab": _CLOUD}})
        self.assertInvalid(["--os-cloud other", "no such cloud",
                            "(clouds: lab)"], os_cloud="other")

    def test_missing_file(self):
        self.assertInvalid(["cannot read", "missing.yaml"], os_cloud="lab",
                           os_client_config_file=os.path.join(
                               self.tmp, "missing.yaml"))

    def test_not_a_clouds_file(self):
        path = self.write("etc", "clouds.yaml", ["not", "a", "mapping"])
        self.assertInvalid([path, "'clouds' mapping"], os_cloud="lab")

    def test_cloud_without_password(self):
        auth = dict(_CLOUD["auth"])
        del auth["password"]
        path = self.write("etc", "clouds.yaml",
                          {"clouds": {"lab": dict(_CLOUD, auth=auth)}})
        self.assertInvalid(["--os-password", "'password' in the auth of "
                            "cloud 'lab' in %s" % path], os_cloud="lab")

    def test_cloud_with_token_auth(self):
        self.write("etc", "clouds.yaml", {"clouds": {"lab": dict(
            _CLOUD, auth_type="token")}})
        self.assertInvalid(["auth_type 'token'", "password"],
                           os_cloud="lab")

    def test_bad_auth_url_of_a_cloud(self):
        self.write("etc", "clouds.yaml", {"clouds": {"lab": dict(
            _CLOUD, auth=dict(_CLOUD["auth"], auth_url="keystone:5000"))}})
        self.assertInvalid(["auth_url of cloud 'lab'", "http or https"],
                           os_cloud="lab")
