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
"""Keystone's release upgrade on the real path, under load.

The lab's keystone profile runs kolla-ansible's own site.yml with keystone,
memcached, cron, kolla-toolbox, HAProxy and keepalived on three nodes.
kolla-ansible 22.2 deploys 2026.1 (keystone 29.1.0); kolla-ansible 23.0,
on the lab's trixie deploy host, upgrades to 2026.2 (keystone 30.0.0, every
image new) while the probe issues and validates tokens through the VIP. A
plain upgrade is the baseline; the lab then goes back to 2026.1 (the
database dump taken at 29.1.0, then kolla-ansible 22.2's deploy) and
``kolla-ansible upgrade --zero-downtime`` must reach 2026.2 with the
database contracted, without one failed request.
"""

import json
import os
import unittest

from kolla_zdu_lab import keystone_lab
from tests.functional import lab_case
from tests.functional import lab_helpers as helpers

NODES = ["node1", "node2", "node3"]
OLD, NEW = "29.1.0", "30.0.0"
FIRST_RELEASE, RELEASE = lab_case.FIRST_RELEASE, lab_case.RELEASE
# Half the requests issue a token (password authentication), half validate
# one. The lab's three keystones share two cores with everything else and
# serve about 50 token requests/s when nothing else runs; while the upgrade
# runs on the same cores (Ansible's modules, container starts, database
# migrations) the zero-downtime upgrade held 35/s without a failure, its
# longest request 7.2 s (see doc/source/reference/keystone-lab.rst), so the
# probe runs a little below that.
RATE = 30
MIN_REQUESTS = 3000
BACKEND = "keystone_internal_back"


class KeystoneUpgradeTest(lab_case.LabTestMixin, unittest.TestCase):
    """Three keystone nodes: baseline, restore, then --zero-downtime."""

    def bring_up_keystone(self):
        self.bring_up_profile("keystone", len(NODES),
                              "keystone through the VIP")

    def assert_release(self, release, version):
        """Every node runs ``release``'s images and keystone ``version``.

        The database is expanded, migrated and contracted to it.
        """
        self.assert_images_of(release, NODES)
        status = helpers.lab_status()
        self.assertEqual(sorted(NODES),
                         sorted(node["name"] for node in status["nodes"]))
        for node in status["nodes"]:
            self.assertEqual("keystone %s" % version, node["serves"],
                             node["name"])
        self.assertTrue(status["vip_serves"].startswith("identity v3"),
                        status["vip_serves"])
        for node in NODES:
            code, output = keystone_lab.database_status(node)
            self.assertEqual(0, code, "%s: db_sync --check: %s"
                             % (node, output))

    def assert_all_servers_ready(self):
        for node in NODES:
            states = helpers.haproxy_admin_states(node, BACKEND)
            self.assertEqual({name: 0 for name in NODES}, states,
                             "servers left out of service in %s" % node)
            names = helpers.container_ids(node)
            self.assertFalse([n for n in names if n.endswith("_zdu_next")],
                             names)

    def upgrade_keystone(self, label, strategy=None):
        return self.release_upgrade(RELEASE, label, RATE, MIN_REQUESTS,
                                    strategy)

    def restore_first_release(self):
        self.restore(FIRST_RELEASE)
        self.assert_release(FIRST_RELEASE, OLD)

    def test_plain_then_zero_downtime_release_upgrade(self):
        with helpers.lab_lock():
            self.bring_up_keystone()
            if any(node["serves"] != "keystone %s" % OLD
                   for node in helpers.lab_status()["nodes"]) or \
                    helpers.lab_status()["target"] != FIRST_RELEASE:
                # A lab an earlier run left elsewhere.
                self.restore_first_release()
            self.assert_release(FIRST_RELEASE, OLD)
            results = {}

            baseline, summary, _log = self.upgrade_keystone("keystone-plain")
            results["plain"] = dict(summary["totals"],
                                    seconds=baseline.upgrade_seconds,
                                    latency=summary["latency"])
            self.assert_release(RELEASE, NEW)
            # kolla-ansible restarts every keystone at once: the probe sees
            # it, which shows that its token requests can fail.
            self.assertGreater(summary["totals"]["failed"], 0, summary)

            self.restore_first_release()

            outcome, summary, log = self.upgrade_keystone(
                "keystone-zero-downtime", strategy="auto")
            totals = summary["totals"]
            results["zero-downtime"] = dict(
                totals, seconds=outcome.upgrade_seconds,
                latency=summary["latency"],
                by_operation=summary.get("by_operation"))
            with open(os.path.join(self.output_dir(), "keystone.json"),
                      "w") as stream:
                json.dump(results, stream, indent=2)
            print(json.dumps(results, indent=2))
            self.assertIn("auto:rolling", log)
            for node in NODES:
                self.assertIn("zdu | loadbalancer | handoff | %s" % node, log)
                self.assertIn("zdu | memcached | serial | %s" % node, log)
            # The zero-downtime plays ran keystone's and memcached's roles
            # on every host, so kolla's site.yml pass leaves their plays out.
            for role in ("keystone", "memcached"):
                self.assertIn('leave out "Apply role %s": the zero-downtime '
                              'plays upgraded %s' % (role, role), log)
            self.assertNotIn("PLAY [Apply role keystone]", log)
            self.assertNotIn("PLAY [Apply role memcached]", log)
            self.assert_every_request_answered(
                totals, "keystone-zero-downtime", MIN_REQUESTS)
            self.assert_release(RELEASE, NEW)
            self.assert_all_servers_ready()
            self.assert_loadbalancer_whole(NODES)
            self.assert_deploy_changes_nothing(NODES)
