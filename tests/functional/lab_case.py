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
"""The test case of the functional tests that drive the real lab.

They build and run the real lab (docker, kolla-ansible), so they need root,
a running dockerd and the packages the lab's README section lists; the
first bring-up builds the images. ``KOLLA_ZDU_LAB_STATE_DIR`` picks the
state dir. The suites bring each lab up once: a test reuses the lab the
one before it left, when that lab serves one version everywhere.
"""

import os
import urllib.parse

from kolla_zdu_lab import scenario
from tests.functional import lab_helpers as helpers

RATE = 100
MIN_REQUESTS = 6000
# The demo lab's releases and zdu-demo versions, which `target` takes.
KNOWN_TARGETS = ("2026.1", "2026.2", "v1", "v2")
OTHER_VERSION = {"v1": "v2", "v2": "v1"}
# The release step every lab profile takes.
FIRST_RELEASE, RELEASE = "2026.1", "2026.2"
# The start of a loadbalancer handoff play's title; `` | <host>]`` follows.
HANDOFF_PLAY = "PLAY [zdu | loadbalancer | handoff"
# Runs that move zdu-demo alone leave the images and the configuration of
# the loadbalancer role as they are: kolla's role changes nothing there, so
# the handoff would hand HAProxy over to an identical one. Those runs turn
# it off; the release upgrade, which changes every image, runs it.
SERVICE_ONLY = "[loadbalancer]\nhandoff = false\n"


class LabTestMixin(object):
    """Assertions on a running lab, by what it answers over HTTP."""

    def bring_up(self, nodes):
        """Bring the demo lab of ``nodes`` nodes up, or reuse a healthy one.

        A lab of this shape that serves one version of zdu-demo on every
        node and through the VIP is kept as it is, with the demo's start-up
        quirks off: no redeploy between tests. Any other lab is brought
        up with ``kolla-zdu-lab up``, from nothing when it has another
        shape or profile.
        """
        version = self.serving_version(nodes)
        if version:
            target = helpers.lab_status()["target"]
            if target not in KNOWN_TARGETS:
                # What a refused test asked for: keep what runs.
                target = version
            code, output = helpers.lab(
                "target", target, "--no-exclusive-schema", "--startup-delay",
                "0", timeout=60)
            self.assertEqual(0, code, output)
            return
        self.bring_up_profile("demo", nodes, "zdu-demo through the VIP")

    def bring_up_profile(self, profile, nodes, answer):
        """Bring a lab of ``profile`` up, taking down one of another.

        The suite before leaves its lab running; ``down`` must leave
        nothing of it behind.

        :param answer: what ``up`` prints once the profile's API answers
            through the VIP.
        """
        args = ("up", "--nodes", str(nodes), "--profile", profile)
        if os.path.exists(os.path.join(helpers.state_dir(), "lab.json")) \
                and helpers.lab_status()["profile"] != profile:
            self.assert_down_leaves_nothing()
        code, output = helpers.lab(*args)
        if code != 0 and os.path.exists(
                os.path.join(helpers.state_dir(), "lab.json")):
            # A lab a failed run left broken: start again from nothing.
            self.assert_down_leaves_nothing()
            code, output = helpers.lab(*args)
        self.assertEqual(0, code, "kolla-zdu-lab up failed:\n%s"
                         % output[-6000:])
        self.assertIn(answer, output)

    @staticmethod
    def serving_version(nodes):
        """Return the version every node and the VIP serve, or None.

        None unless a demo lab of ``nodes`` nodes runs in the state dir
        and all of it answers the same zdu-demo version.
        """
        if not os.path.exists(os.path.join(helpers.state_dir(),
                                           "lab.json")):
            return None
        try:
            status = helpers.lab_status()
        except AssertionError:
            return None
        if status["profile"] != "demo" or len(status["nodes"]) != nodes:
            return None
        served = {(node["serves"] or "").split("@")[0]
                  for node in status["nodes"]}
        served.add(status["vip_serves"].split("@")[0])
        if len(served) != 1 or served & {"", None}:
            return None
        version = served.pop()
        return version if version in ("v1", "v2") else None

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

    def service_only_config(self, name, text=""):
        """Write a plugin configuration for a run that moves zdu-demo alone.

        :returns: the ``--zdu-config-file`` arguments that select it.
        """
        path = os.path.join(self.output_dir(), name)
        with open(path, "w") as stream:
            stream.write(SERVICE_ONLY + text)
        return ("--zdu-config-file", path)

    def upgrade(self, version, label, strategy=None, extra_args=(),
                min_requests=MIN_REQUESTS, expect_success=True,
                interrupt=None):
        """Upgrade under the probe; return (outcome, probe totals, log).

        :param interrupt: kill the run once it returns true and run it
            again (``scenario.upgrade_under_probe``); the log is the
            rerun's.
        """
        outcome = scenario.upgrade_under_probe(
            helpers.state_dir(), version, label, strategy=strategy,
            rate=RATE, min_requests=min_requests,
            output_dir=self.output_dir(), extra_args=extra_args,
            interrupt=interrupt)
        with open(outcome.log_path) as stream:
            log = stream.read()
        if expect_success:
            self.assertEqual(0, outcome.return_code,
                             "%s upgrade failed:\n%s" % (label, log[-6000:]))
        return outcome, outcome.report.summary["totals"], log

    def release_upgrade(self, release, label, rate, min_requests,
                        strategy=None):
        """Upgrade an OpenStack profile's lab to ``release`` under the probe.

        The run must succeed with the target release's kolla-ansible on the
        lab's trixie deploy host.

        :returns: (outcome, the probe's summary, the run's log).
        """
        outcome = scenario.upgrade_under_probe(
            helpers.state_dir(), release, label, strategy=strategy,
            rate=rate, min_requests=min_requests,
            output_dir=self.output_dir())
        with open(outcome.log_path) as stream:
            log = stream.read()
        self.assertEqual(0, outcome.return_code,
                         "%s upgrade failed:\n%s" % (label, log[-6000:]))
        self.assertIn("/opt/kolla-zdu-deploy-23", log)
        return outcome, outcome.report.summary, log

    def restore(self, release):
        """Go back to ``release`` with ``kolla-zdu-lab restore``."""
        code, output = helpers.lab("restore", release)
        self.assertEqual(0, code, output[-4000:])

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
        holders = helpers.vip_holders(nodes, self.vip())
        self.assertEqual(1, len(holders), holders)
        self.assertNotIn("lo", sum(holders.values(), []), holders)

    @staticmethod
    def vip():
        """Return the lab's VIP, the host of its URL."""
        return urllib.parse.urlsplit(helpers.lab_status()["url"]).hostname

    def assert_down_leaves_nothing(self):
        """``kolla-zdu-lab down`` leaves no container, volume or network."""
        code, output = helpers.lab("down", timeout=helpers.DOWN_TIMEOUT)
        self.assertEqual(0, code, output)
        self.assertEqual([], helpers.lab_leftovers())
        self.assertFalse(os.path.exists(helpers.state_dir()))
        names = helpers.docker_lines("ps", "-a", "--format", "{{.Names}}")
        self.assertNotIn("node1", names)
