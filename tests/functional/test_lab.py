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
"""The lab, end to end: up, a plain ``kolla-ansible upgrade``, down.

These tests build and run the real lab (docker, kolla-ansible), so they
need root, a running dockerd and the packages the lab's README section
lists; a run takes several minutes (the first one builds the images).
``KOLLA_ZDU_LAB_STATE_DIR`` picks the state dir. A lab already running
there with the same number of nodes is reused.
"""

import os
import unittest
import urllib.parse

from kolla_zdu_lab import scenario
from tests.functional import lab_helpers as helpers

RATE = 100
MIN_REQUESTS = 6000


class LabTestMixin(object):
    """Assertions on a running lab, by what it answers over HTTP."""

    def bring_up(self, nodes):
        """Run ``kolla-zdu-lab up`` with zdu-demo v1 as the target."""
        existing = os.path.join(helpers.state_dir(), "lab.json")
        if os.path.exists(existing):
            code, output = helpers.lab(
                "target", "v1", "--no-exclusive-schema", "--startup-delay",
                "0", timeout=60)
            if code != 0:
                helpers.lab("down", timeout=helpers.DOWN_TIMEOUT)
        code, output = helpers.lab("up", "--nodes", str(nodes))
        if code != 0 and os.path.exists(existing):
            # A lab of another size, or one a failed test left broken:
            # start again from nothing.
            helpers.lab("down", timeout=helpers.DOWN_TIMEOUT)
            code, output = helpers.lab("up", "--nodes", str(nodes))
        self.assertEqual(0, code, "kolla-zdu-lab up failed:\n%s"
                         % output[-6000:])
        self.assertIn("zdu-demo through the VIP", output)

    def node_addresses(self):
        """Return {node name: address} from ``kolla-zdu-lab status``."""
        return {node["name"]: node["address"]
                for node in helpers.lab_status()["nodes"]}

    def assert_nodes_serve(self, version, nodes):
        """Each node's zdu-demo, bypassing HAProxy, answers ``version``."""
        addresses = self.node_addresses()
        self.assertEqual(sorted(nodes), sorted(addresses))
        for name, address in addresses.items():
            status, document = helpers.get_document(helpers.node_url(address))
            self.assertEqual(200, status, "%s does not answer" % name)
            self.assertEqual(version, document["version"], name)
            self.assertEqual(name, document["host"])

    def assert_vip_serves(self, url, version, nodes):
        """Requests through the VIP reach every node, all with ``version``.

        HAProxy needs a few health checks to take a new backend in, so this
        polls, for up to 60 s, until one round reaches every node.
        """
        answers = []

        def one_round():
            answers[:] = [helpers.get_document(url)
                          for _ in range(4 * len(nodes))]
            hosts = {document["host"] for status, document in answers
                     if status == 200 and document["version"] == version}
            return hosts == set(nodes)

        reached = helpers.wait_until(one_round, timeout=60)
        self.assertTrue(reached, "%s did not serve %s from all of %s: %s"
                        % (url, version, nodes, answers))
        for status, document in answers:
            self.assertEqual(200, status)
            self.assertEqual(version, document["version"])

    def assert_kolla_unit(self, node):
        """The node runs zdu_demo under kolla's systemd unit."""
        code, output = helpers.run(
            ["docker", "exec", node, "systemctl", "status", "--no-pager",
             "kolla-zdu_demo-container.service"], timeout=60)
        self.assertEqual(0, code, output)
        self.assertIn("active (running)", output)
        self.assertIn("docker start -a zdu_demo", output)

    def output_dir(self):
        """Return the directory the probe reports and upgrade logs go to."""
        path = helpers.state_dir() + "-reports"
        os.makedirs(path, exist_ok=True)
        return path

    def upgrade(self, version, label, strategy=None, extra_args=(),
                min_requests=MIN_REQUESTS, expect_success=True):
        """Upgrade under the probe; return (outcome, probe totals, log)."""
        outcome = scenario.upgrade_under_probe(
            helpers.state_dir(), version, label, strategy=strategy,
            rate=RATE, min_requests=min_requests,
            output_dir=self.output_dir(), extra_args=extra_args)
        with open(outcome.log_path) as stream:
            log = stream.read()
        if expect_success:
            self.assertEqual(0, outcome.return_code,
                             "%s upgrade failed:\n%s" % (label, log[-6000:]))
        return outcome, outcome.report.summary["totals"], log

    def assert_every_request_answered(self, totals, label,
                                      min_requests=MIN_REQUESTS):
        """No request failed or was skipped, and enough of them were sent.

        The probe stops only once ``min_requests`` were scheduled, so a
        short count means requests went missing, not that the upgrade
        was fast.
        """
        self.assertEqual(0, totals["failed"], "%s: %s" % (label, totals))
        self.assertEqual(0, totals["skipped"], "%s: %s" % (label, totals))
        self.assertGreaterEqual(totals["sent"], min_requests,
                                "%s: %s" % (label, totals))

    def assert_clean_cluster(self, env, version, nodes):
        """Every node serves ``version``, with no temporary container."""
        self.assert_nodes_serve(version, nodes)
        self.assert_vip_serves(env["LAB_URL"], version, nodes)
        for node in nodes:
            names = helpers.container_ids(node)
            self.assertFalse([n for n in names if n.endswith("_zdu_next")],
                             names)
            code, units = helpers.run(
                ["docker", "exec", node, "systemctl", "list-units",
                 "--all", "--no-legend", "kolla-*zdu_next*"], timeout=60)
            self.assertEqual("", units.strip(), units)
            states = helpers.haproxy_admin_states(node, "zdu_demo_back")
            self.assertEqual({n: 0 for n in nodes}, states,
                             "servers left out of service in %s" % node)

    def assert_deploy_changes_nothing(self, nodes):
        """A following ``kolla-ansible deploy`` recreates no container.

        It is the deploy of the kolla-ansible of the lab's release, on its
        deploy host.
        """
        before = {node: helpers.container_ids(node) for node in nodes}
        code, output = helpers.lab("kolla-ansible", "deploy",
                                   timeout=helpers.UPGRADE_TIMEOUT)
        self.assertEqual(0, code, output[-4000:])
        after = {node: helpers.container_ids(node) for node in nodes}
        self.assertEqual(before, after, "kolla-ansible deploy recreated "
                         "containers after a zero-downtime upgrade")

    def assert_images_of(self, release, nodes):
        """Every container of every node runs an image of ``release``."""
        for node in nodes:
            images = helpers.container_images(node)
            self.assertTrue(images, node)
            wrong = {name: image for name, image in images.items()
                     if image.rsplit(":", 1)[1] != release}
            self.assertEqual({}, wrong, "%s runs images of another release "
                             "than %s" % (node, release))

    def assert_loadbalancer_whole(self, nodes):
        """No bridge, no anchored VIP, keepalived everywhere, one holder."""
        for node in nodes:
            names = helpers.container_ids(node)
            self.assertFalse([n for n in names if n.endswith("_zdu_bridge")],
                             names)
            code, output = helpers.run(
                ["docker", "exec", node, "docker", "inspect", "--format",
                 "{{.State.Running}}", "keepalived", "haproxy"], timeout=60)
            self.assertEqual(["true", "true"], output.split(), node)
        vip = urllib.parse.urlsplit(helpers.lab_status()["url"]).hostname
        holders = helpers.vip_holders(nodes, vip)
        self.assertEqual(1, len(holders), holders)
        self.assertNotIn("lo", sum(holders.values(), []), holders)

    def assert_down_leaves_nothing(self):
        """``kolla-zdu-lab down`` leaves no container, volume or network."""
        code, output = helpers.lab("down", timeout=helpers.DOWN_TIMEOUT)
        self.assertEqual(0, code, output)
        self.assertEqual([], helpers.lab_leftovers())
        self.assertFalse(os.path.exists(helpers.state_dir()))
        names = helpers.docker_lines("ps", "-a", "--format", "{{.Names}}")
        self.assertNotIn("node1", names)


class ThreeNodeLabTest(LabTestMixin, unittest.TestCase):
    """Three nodes: deploy v1, then a plain kolla-ansible upgrade to v2."""

    NODES = ["node1", "node2", "node3"]

    def test_upgrade_v1_to_v2_with_kolla_ansible(self):
        with helpers.lab_lock():
            self.bring_up(len(self.NODES))
            env = helpers.lab_environment()
            for key in ("LAB_INVENTORY", "LAB_CONFIGDIR", "LAB_PLAYBOOK",
                        "ANSIBLE_CONFIG"):
                self.assertTrue(os.path.exists(env[key]), key)
            self.assert_nodes_serve("v1", self.NODES)
            self.assert_vip_serves(env["LAB_URL"], "v1", self.NODES)
            self.assert_kolla_unit("node1")

            code, output = helpers.lab("target", "v2", timeout=60)
            self.assertEqual(0, code, output)
            code, output = helpers.run(
                ["kolla-ansible", "upgrade", "-i", env["LAB_INVENTORY"],
                 "--configdir", env["LAB_CONFIGDIR"],
                 "-p", env["LAB_PLAYBOOK"]],
                timeout=helpers.UPGRADE_TIMEOUT, env=env)
            self.assertEqual(0, code, "kolla-ansible upgrade failed:\n%s"
                             % output[-6000:])
            self.assert_nodes_serve("v2", self.NODES)
            self.assert_vip_serves(env["LAB_URL"], "v2", self.NODES)
            for node in self.NODES:
                image = helpers.docker_lines(
                    "exec", node, "docker", "inspect", "--format",
                    "{{.Config.Image}}", "zdu_demo")
                self.assertEqual(1, len(image), image)
                self.assertTrue(image[0].endswith("/kolla/zdu-demo:v2"),
                                image)

            self.assert_down_leaves_nothing()


class SingleNodeLabTest(LabTestMixin, unittest.TestCase):
    """One node, the shape the buffer strategy uses."""

    def test_single_node_lab_and_buffer_upgrade(self):
        with helpers.lab_lock():
            self.bring_up(1)
            env = helpers.lab_environment()
            self.assert_nodes_serve("v1", ["node1"])
            self.assert_vip_serves(env["LAB_URL"], "v1", ["node1"])
            self.assert_kolla_unit("node1")

            outcome, totals, log = self.upgrade("v2", "buffer", "buffer")
            held = outcome.report.summary["held"]
            print("buffer on 1 node: %s in %.1f s; held %s"
                  % (totals, outcome.upgrade_seconds, held))
            self.assert_every_request_answered(totals, "buffer")
            self.assertGreater(held["count"], 0,
                               "no request was held: did the restart "
                               "happen under the hold?")
            self.assertLess(held["max"], 20.0, held)
            self.assert_clean_cluster(env, "v2", ["node1"])
            self.assert_deploy_changes_nothing(["node1"])
            self.assert_down_leaves_nothing()
