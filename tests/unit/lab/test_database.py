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
"""The lab's MariaDB server container, with docker mocked."""

from unittest import mock

import fixtures
from oslotest import base

from kolla_zdu_lab import database
from kolla_zdu_lab import errors
from kolla_zdu_lab import settings as settings_mod

IMAGE = "kolla-zdu-lab/mariadb-server:abc"
LABEL = "org.openstack.kolla-zdu-lab=/state"


def container(image=IMAGE, running=True, address="172.30.99.3"):
    return {"State": {"Running": running}, "Config": {"Image": image},
            "NetworkSettings": {"Networks": {"kolla-zdu-lab": {
                "IPAMConfig": {"IPv4Address": address}}}}}


class EnsureDatabaseTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.settings = settings_mod.LabSettings(state_dir="/state")
        self.builder = mock.Mock()
        self.builder.ensure.return_value = IMAGE
        self.docker = self.useFixture(fixtures.MockPatch(
            "kolla_zdu_lab.dockercli.docker", return_value="")).mock
        self.inspect = self.useFixture(fixtures.MockPatch(
            "kolla_zdu_lab.dockercli.inspect")).mock
        self.succeeds = self.useFixture(fixtures.MockPatch(
            "kolla_zdu_lab.dockercli.succeeds",
            return_value=True)).mock
        self.useFixture(fixtures.MockPatch("time.sleep"))

    def commands(self):
        return [call.args for call in self.docker.call_args_list]

    def test_database_address(self):
        self.assertEqual("172.30.99.3", self.settings.database_address)

    def test_first_run_creates_volume_and_container(self):
        self.inspect.side_effect = lambda kind, name: None
        database.ensure_database(self.settings, self.builder, "rootpw",
                                 [("keystone", "keystone", "kspw")])
        self.builder.ensure.assert_called_once_with("mariadb-server")
        self.assertEqual(
            [("volume", "create", "--label", LABEL,
              "kolla-zdu-lab-mariadb"),
             ("run", "-d", "--name", "kolla-zdu-lab-mariadb",
              "--hostname", "mariadb", "--network", "kolla-zdu-lab",
              "--ip", "172.30.99.3",
              "-v", "kolla-zdu-lab-mariadb:/var/lib/mysql",
              "--label", LABEL, IMAGE),
             ("exec", "-i", "kolla-zdu-lab-mariadb", "mariadb",
              "--user=root")],
            self.commands())
        sql = self.docker.call_args.kwargs["input_bytes"].decode()
        self.assertIn("CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY "
                      "'rootpw';\n", sql)
        self.assertIn("GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH "
                      "GRANT OPTION;\n", sql)
        self.assertIn("CREATE DATABASE IF NOT EXISTS `keystone`;\n", sql)
        self.assertIn("ALTER USER 'keystone'@'%' IDENTIFIED BY 'kspw';\n",
                      sql)
        self.assertIn("GRANT ALL PRIVILEGES ON `keystone`.* TO "
                      "'keystone'@'%';\n", sql)
        self.assertNotIn("rootpw", " ".join(
            " ".join(args) for args in self.commands()))

    def test_rerun_reuses_current_container(self):
        self.inspect.side_effect = lambda kind, name: (
            container() if kind == "container" else {})
        database.ensure_database(self.settings, self.builder, "rootpw", [])
        self.assertEqual([("exec", "-i", "kolla-zdu-lab-mariadb", "mariadb",
                           "--user=root")], self.commands())

    def test_outdated_container_is_replaced_volume_kept(self):
        self.inspect.side_effect = lambda kind, name: (
            container(image="old") if kind == "container" else {})
        database.ensure_database(self.settings, self.builder, "rootpw", [])
        self.assertEqual(("rm", "-f", "kolla-zdu-lab-mariadb"),
                         self.commands()[0])
        self.assertEqual("run", self.commands()[1][0])
        self.assertNotIn("volume", [args[0] for args in self.commands()])

    def test_moved_address_is_replaced(self):
        self.inspect.side_effect = lambda kind, name: (
            container(address="10.0.0.3") if kind == "container" else {})
        database.ensure_database(self.settings, self.builder, "rootpw", [])
        self.assertEqual(("rm", "-f", "kolla-zdu-lab-mariadb"),
                         self.commands()[0])

    def test_run_failure_names_the_address(self):
        self.inspect.side_effect = lambda kind, name: None

        def fail_run(*args, **kwargs):
            if args[0] == "run":
                raise errors.LabError(reason="Address already in use")
            return ""

        self.docker.side_effect = fail_run
        error = self.assertRaises(errors.LabError,
                                  database.ensure_database, self.settings,
                                  self.builder, "rootpw", [])
        self.assertIn("172.30.99.3", str(error))
        self.assertIn("Address already in use", str(error))

    def test_stopped_server_points_at_its_logs(self):
        self.inspect.side_effect = lambda kind, name: (
            container(running=False) if kind == "container" else {})
        self.succeeds.return_value = False
        error = self.assertRaises(errors.LabError, database.wait_ready)
        self.assertIn("docker logs kolla-zdu-lab-mariadb", str(error))

    def test_wait_is_bounded(self):
        self.inspect.return_value = container()
        self.succeeds.return_value = False
        with mock.patch("time.monotonic", side_effect=[0, 5, 100]):
            error = self.assertRaises(errors.LabError,
                                      database.wait_ready, timeout=10)
        self.assertIn("within 10 s", str(error))
        self.assertIn("docker logs kolla-zdu-lab-mariadb", str(error))

    def test_failed_statement_is_a_lab_error(self):
        self.docker.side_effect = errors.LabError(reason="ERROR 1045")
        error = self.assertRaises(errors.LabError, database.execute,
                                  "SELECT 1;\n", "checking")
        self.assertIn("checking on kolla-zdu-lab-mariadb failed: ERROR 1045",
                      str(error))


class QuoteTestCase(base.BaseTestCase):

    def test_string_literal_escapes_quotes_and_backslashes(self):
        self.assertEqual("'it\\'s\\\\x'", database.quote("it's\\x"))

    def test_identifier_doubles_backticks(self):
        self.assertEqual("`a``b`", database.quote_name("a`b"))
