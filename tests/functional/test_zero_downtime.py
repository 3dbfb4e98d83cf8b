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
following ``kolla-ansible deploy`` finds unchanged. The buffer strategy is
tested on one node in :mod:`tests.functional.test_lab`.
"""

import json
import os
import unittest

from kolla_zdu_lab import scenario
from tests.functional import lab_helpers as helpers
from tests.functional import test_lab

NODES = ["node1", "node2", "node3"]


FIRST_RELEASE, RELEASE = "2026.1", "2026.2"
MIXED_UNSAFE = "[zdu]\nmixed_version_unsafe_services = zdu-demo\n"


class ZeroDowntimeTest(test_lab.LabTestMixin, unittest.TestCase):
    """Three nodes: baseline, then every strategy under the probe."""

    def test_baseline_then_strategies(self):
        with helpers.lab_lock():
            self.bring_up(len(NODES))
            env = helpers.lab_environment()
            scenario.enable_admin_socket(helpers.state_dir())
            results = {}

            baseline, totals, _log = self.upgrade("v2", "baseline")
            results["baseline"] = dict(totals,
                                       seconds=baseline.upgrade_seconds)
            self.assert_nodes_serve("v2", NODES)

            runs = [("rolling", "v1", "rolling", ()),
                    ("parallel", "v2", "parallel", ()),
                    ("auto", "v1", "auto", ())]
            # auto picks rolling here (three servers, mixed versions
            # allowed); the mixed-version-unsafe run below is auto's other
            # path.
            for label, version, strategy, extra in runs:
                outcome, totals, log = self.upgrade(version, label, strategy,
                                                    extra)
                results[label] = dict(totals,
                                      seconds=outcome.upgrade_seconds)
                self.assert_every_request_answered(totals, label)
                self.assert_clean_cluster(env, version, NODES)

            # v1 and v2 must not serve together: auto warms v2 up beside v1
            # and cuts over under a short hold.
            code, output = helpers.lab("target", "v2", "--exclusive-schema",
                                       timeout=60)
            self.assertEqual(0, code, output)
            config = os.path.join(self.output_dir(), "mixed-unsafe.conf")
            with open(config, "w") as stream:
                stream.write(MIXED_UNSAFE)
            outcome, totals, log = self.upgrade(
                "v2", "auto-mixed-unsafe", "auto",
                ("--zdu-config-file", config))
            self.assertIn("auto:parallel+buffer", log)
            held = outcome.report.summary["held"]
            results["auto-mixed-unsafe"] = dict(
                totals, seconds=outcome.upgrade_seconds, held=held)
            self.assert_every_request_answered(totals, "auto-mixed-unsafe")
            self.assert_clean_cluster(env, "v2", NODES)

            self.assert_deploy_changes_nothing(NODES)
            with open(os.path.join(self.output_dir(), "results.json"),
                      "w") as stream:
                json.dump(results, stream, indent=2)
            print(json.dumps(results, indent=2))
            code, output = helpers.lab("target", "v2",
                                       "--no-exclusive-schema", timeout=60)
            self.assertEqual(0, code, output)

    def test_release_upgrade(self):
        """Every image new, HAProxy and keepalived included: 0 failed."""
        with helpers.lab_lock():
            self.bring_up(len(NODES))
            env = helpers.lab_environment()
            scenario.enable_admin_socket(helpers.state_dir())
            scenario.move_to(helpers.state_dir(), FIRST_RELEASE)
            self.assert_images_of(FIRST_RELEASE, NODES)
            results = {}
            plain, totals, _log = self.upgrade(RELEASE, "release-plain")
            results["plain"] = dict(totals, seconds=plain.upgrade_seconds,
                                    latency=plain.report.summary["latency"])
            self.assert_images_of(RELEASE, NODES)
            scenario.move_to(helpers.state_dir(), FIRST_RELEASE)

            zero, totals, log = self.upgrade(RELEASE, "release-zdu", "auto")
            results["zero-downtime"] = dict(
                totals, seconds=zero.upgrade_seconds,
                latency=zero.report.summary["latency"])
            print(json.dumps(results, indent=2))
            with open(os.path.join(self.output_dir(),
                                   "release-results.json"), "w") as stream:
                json.dump(results, stream, indent=2)
            for node in NODES:
                self.assertIn("zdu | loadbalancer | handoff | %s" % node, log)
            self.assert_every_request_answered(totals, "release-zdu")
            slow = zero.report.summary["latency"]["slow"]["during"]
            self.assertGreater(slow["count"], 0,
                               "no 5 s request was in flight")
            self.assert_images_of(RELEASE, NODES)
            self.assert_clean_cluster(env, "v2", NODES)
            self.assert_loadbalancer_whole(NODES)
            self.assert_deploy_changes_nothing(NODES)
