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
"""Zero-downtime upgrades of the lab, measured by the probe.

A plain ``kolla-ansible upgrade`` is measured first as the baseline; then
``kolla-ansible upgrade --zero-downtime`` with each strategy that acts must
give zero failed requests of at least 6,000 at 100 requests/s, leave every
HAProxy server in service, no temporary container, and a deployment that a
following ``kolla-ansible deploy`` finds unchanged.
"""

import json
import os
import unittest

from kolla_zdu_plugin.lab import scenario
from tests.functional import lab_helpers as helpers
from tests.functional import test_lab

NODES = ["node1", "node2", "node3"]
RATE = 100
MIN_REQUESTS = 6000


def container_ids(node):
    """Return {container name: id} of the kolla containers on a node."""
    lines = helpers.docker_lines("exec", node, "docker", "ps", "-a",
                                 "--format", "{{.Names}} {{.ID}}")
    return dict(line.split() for line in lines if line.strip())


class ZeroDowntimeTest(test_lab.LabTestMixin, unittest.TestCase):
    """Three nodes: baseline, then rolling and parallel under the probe."""

    def setUp(self):
        super().setUp()
        self.output = os.path.join(helpers.state_dir() + "-reports")
        os.makedirs(self.output, exist_ok=True)

    def upgrade(self, version, label, strategy=None):
        outcome = scenario.upgrade_under_probe(
            helpers.state_dir(), version, label, strategy=strategy,
            rate=RATE, min_requests=MIN_REQUESTS, output_dir=self.output)
        with open(outcome.log_path) as stream:
            log = stream.read()
        self.assertEqual(0, outcome.return_code,
                         "%s upgrade failed:\n%s" % (label, log[-6000:]))
        return outcome, outcome.report.summary["totals"]

    def assert_clean_cluster(self, env, version):
        self.assert_nodes_serve(version, NODES)
        self.assert_vip_serves(env["LAB_URL"], version, NODES)
        for node in NODES:
            names = container_ids(node)
            self.assertFalse([n for n in names if n.endswith("_zdu_next")],
                             names)
            code, units = helpers.run(
                ["docker", "exec", node, "systemctl", "list-units",
                 "--all", "--no-legend", "kolla-*zdu_next*"], timeout=60)
            self.assertEqual("", units.strip(), units)

    def assert_deploy_changes_nothing(self, env):
        before = {node: container_ids(node) for node in NODES}
        code, output = helpers.run(
            ["kolla-ansible", "deploy", "-i", env["LAB_INVENTORY"],
             "--configdir", env["LAB_CONFIGDIR"], "-p", env["LAB_PLAYBOOK"]],
            timeout=helpers.UPGRADE_TIMEOUT, env=env)
        self.assertEqual(0, code, output[-4000:])
        after = {node: container_ids(node) for node in NODES}
        self.assertEqual(before, after, "kolla-ansible deploy recreated "
                         "containers after a zero-downtime upgrade")

    def test_baseline_then_strategies(self):
        with helpers.lab_lock():
            self.bring_up(len(NODES))
            env = helpers.lab_environment()
            scenario.enable_admin_socket(helpers.state_dir())
            results = {}

            baseline, totals = self.upgrade("v2", "baseline")
            results["baseline"] = totals
            self.assert_nodes_serve("v2", NODES)

            version = "v1"
            for strategy in ("rolling", "parallel"):
                outcome, totals = self.upgrade(version, strategy, strategy)
                results[strategy] = dict(totals,
                                         seconds=outcome.upgrade_seconds)
                self.assertGreaterEqual(totals["sent"], MIN_REQUESTS)
                self.assertEqual(0, totals["failed"],
                                 "%s: %s" % (strategy, totals))
                self.assert_clean_cluster(env, version)
                version = "v2" if version == "v1" else "v1"

            self.assert_deploy_changes_nothing(env)
            with open(os.path.join(self.output, "results.json"), "w") as f:
                json.dump(results, f, indent=2)
            print(json.dumps(results, indent=2))
