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
"""Release and strategy upgrades of the demo lab, measured by the probe.

On one three-node lab: a release upgrade (every image new, HAProxy and
keepalived included) with plain ``kolla-ansible upgrade`` is the baseline,
and must show failed requests; the same release step with
``--zero-downtime`` must fail none. Then each strategy that acts upgrades
zdu-demo alone under the probe, with the loadbalancer's handoff off,
as kolla's loadbalancer role has nothing to change. Each zero-downtime
run must give zero
failed requests of at least 6,000 at 100 requests/s, leave every HAProxy
server in service and no temporary container, and a following
``kolla-ansible deploy`` must find the deployment unchanged.
"""

import json
import os
import unittest

from kolla_zdu_lab import scenario
from tests.functional import lab_case
from tests.functional import lab_helpers as helpers

NODES = ["node1", "node2", "node3"]
FIRST_RELEASE, RELEASE = lab_case.FIRST_RELEASE, lab_case.RELEASE
MIXED_UNSAFE = "[zdu]\nmixed_version_unsafe_services = zdu-demo\n"
# The plays of each strategy's batches, as the run's log names them.
STRATEGY_PLAY = "PLAY [zdu | zdu-demo | %s | "
HANDOFF_PLAY = lab_case.HANDOFF_PLAY


class ZeroDowntimeTest(lab_case.LabTestMixin, unittest.TestCase):
    """Three nodes: the release step, then every strategy under the probe."""

    def write_results(self, name, results):
        print(json.dumps(results, indent=2))
        with open(os.path.join(self.output_dir(), name), "w") as stream:
            json.dump(results, stream, indent=2)

    def assert_lab_files(self, env):
        for key in ("LAB_INVENTORY", "LAB_CONFIGDIR", "LAB_PLAYBOOK",
                    "ANSIBLE_CONFIG"):
            self.assertTrue(os.path.exists(env[key]), key)
        self.assert_kolla_unit("node1")

    def test_release_upgrade(self):
        """Every image new: the plain baseline fails, --zero-downtime not."""
        with helpers.lab_lock():
            self.bring_up(len(NODES))
            env = helpers.lab_environment()
            self.assert_lab_files(env)
            scenario.enable_admin_socket(helpers.state_dir())
            scenario.move_to(helpers.state_dir(), FIRST_RELEASE)
            self.assert_images_of(FIRST_RELEASE, NODES)
            self.assert_clean_cluster(env, "v1", NODES)
            results = {}
            plain, totals, _log = self.upgrade(RELEASE, "release-plain")
            results["plain"] = dict(totals, seconds=plain.upgrade_seconds,
                                    latency=plain.report.summary["latency"])
            self.assert_images_of(RELEASE, NODES)
            self.assert_nodes_serve("v2", NODES)
            scenario.move_to(helpers.state_dir(), FIRST_RELEASE)

            zero, totals, log = self.upgrade(RELEASE, "release-zdu", "auto")
            results["zero-downtime"] = dict(
                totals, seconds=zero.upgrade_seconds,
                latency=zero.report.summary["latency"])
            self.write_results("release-results.json", results)
            # kolla-ansible restarts every instance at once: the probe sees
            # it, which shows that its requests can fail.
            self.assertGreater(results["plain"]["failed"], 0, results)
            for node in NODES:
                self.assertIn("%s | %s" % (HANDOFF_PLAY, node), log)
            self.assert_every_request_answered(totals, "release-zdu")
            slow = zero.report.summary["latency"]["slow"]["during"]
            self.assertGreater(slow["count"], 0,
                               "no 5 s request was in flight")
            self.assert_images_of(RELEASE, NODES)
            self.assert_clean_cluster(env, "v2", NODES)
            self.assert_loadbalancer_whole(NODES)
            self.assert_deploy_changes_nothing(NODES)

    def test_strategies(self):
        """Parallel, auto's mixed-unsafe path and buffer: 0 failed.

        Rolling is auto's choice in the release upgrade above. The runs
        alternate zdu-demo between v2 and v1; the one with v1 and v2
        forbidden to serve together must go from v1 to v2.
        """
        with helpers.lab_lock():
            self.bring_up(len(NODES))
            env = helpers.lab_environment()
            scenario.enable_admin_socket(helpers.state_dir())
            if self.serving_version(len(NODES)) == "v1":
                scenario.move_to(helpers.state_dir(), "v2")
            results = {}
            results["parallel"] = self.strategy_run("parallel", "v1", env)

            # v1 and v2 must not serve together: auto warms v2 up beside v1
            # and cuts over under a short hold.
            code, output = helpers.lab("target", "v2", "--exclusive-schema",
                                       timeout=60)
            self.assertEqual(0, code, output)
            outcome, totals, log = self.upgrade(
                "v2", "auto-mixed-unsafe", "auto",
                self.service_only_config("mixed-unsafe.conf", MIXED_UNSAFE))
            self.assertIn("auto:parallel+buffer", log)
            self.assertNotIn(HANDOFF_PLAY, log)
            results["auto-mixed-unsafe"] = dict(
                totals, seconds=outcome.upgrade_seconds,
                held=outcome.report.summary["held"])
            self.assert_every_request_answered(totals, "auto-mixed-unsafe")
            self.assert_clean_cluster(env, "v2", NODES)

            code, output = helpers.lab("target", "v1",
                                       "--no-exclusive-schema", timeout=60)
            self.assertEqual(0, code, output)
            results["buffer"] = self.strategy_run("buffer", "v1", env)
            self.write_results("results.json", results)
            held = results["buffer"]["held"]
            self.assertGreater(held["count"], 0,
                               "no request was held: did the restart "
                               "happen under the buffer's hold?")
            self.assertLess(held["max"], 20.0, held)
            self.assert_deploy_changes_nothing(NODES)

    def strategy_run(self, strategy, version, env):
        """Upgrade zdu-demo to ``version`` with ``strategy``; 0 must fail.

        :returns: the probe's totals, the upgrade's seconds and what was
            held.
        """
        outcome, totals, log = self.upgrade(
            version, strategy, strategy,
            self.service_only_config("%s.conf" % strategy))
        self.assertIn(STRATEGY_PLAY % strategy, log)
        self.assertNotIn(HANDOFF_PLAY, log)
        self.assert_every_request_answered(totals, strategy)
        self.assert_clean_cluster(env, version, NODES)
        return dict(totals, seconds=outcome.upgrade_seconds,
                    held=outcome.report.summary["held"])
