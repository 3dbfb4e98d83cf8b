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
"""Keystone's and heat's release upgrade on the real path, under load.

The lab's heat profile runs kolla-ansible's own site.yml with keystone,
heat (heat_api, heat_api_cfn, heat_engine), RabbitMQ, memcached, cron,
kolla-toolbox, HAProxy and keepalived on three nodes. kolla-ansible 22.2
deploys 2026.1 (keystone 29.1.0, heat 26.0.2); kolla-ansible 23.0, on the
lab's trixie deploy host, upgrades to 2026.2 (keystone 30.0.0, heat
27.0.1, every image new, RabbitMQ's included) while the probe lists
stacks and validates templates through heat-api and lists stacks through
heat-api-cfn (each an RPC call to heat-engine) at 10 requests a second,
and issues and validates tokens at 2.5. A plain upgrade is the baseline
and must fail requests; from 2026.1 again (the database dump taken at
2026.1, then kolla-ansible 22.2's deploy),
``kolla-ansible upgrade --zero-downtime`` must reach 2026.2 with
keystone's database contracted, without one failed request. Each test
starts from 2026.1, restoring it when the lab serves 2026.2.

The zero-downtime test makes the keystone profile's checks of keystone
too (database contracted, every image new, ``deploy`` recreating nothing),
so CI brings up this one OpenStack lab. It does not make the keystone
profile's 30 token requests a second: at 30 token and 12 heat requests a
second this lab's two cores saturate during the upgrade and heat-api-cfn
times out (doc/source/reference/heat-lab.rst); ``test_keystone`` keeps
that rate on the keystone profile.
"""

import json
import os
import unittest

from kolla_zdu_lab import heat_lab
from kolla_zdu_lab import keystone_lab
from tests.functional import lab_case
from tests.functional import lab_helpers as helpers

NODES = ["node1", "node2", "node3"]
FIRST_RELEASE, RELEASE = lab_case.FIRST_RELEASE, lab_case.RELEASE
VERSIONS = {FIRST_RELEASE: ("29.1.0", "26.0.2"),
            RELEASE: ("30.0.0", "27.0.1")}
# The probe's default heat shares: 60 % heat-api, 20 % heat-api-cfn, 20 %
# tokens, so 12.5 requests/s put 10 a second on heat's two APIs and 2.5
# on keystone's tokens. With no upgrade running, the lab's two cores are
# 55 to 70 % busy at 10 requests/s (34 % idle), p99 0.17 s; at 20 they are
# 82 to 92 % busy and requests queue (p50 1.0 s, p99 9.8 s), so the
# upgrade would start on a lab already past what it can serve
# (doc/source/reference/heat-lab.rst).
RATE = 12.5
TOKEN_SHARE = 0.2
MIN_REQUESTS = 2000
HEAT_RATE, TOKEN_RATE = RATE * (1 - TOKEN_SHARE), RATE * TOKEN_SHARE
BACKENDS = ("heat_api_back", "heat_api_cfn_back", "keystone_internal_back")
HEAT_OPERATIONS = ("heat-stack-list", "heat-validate", "cfn-list-stacks")
TOKEN_OPERATIONS = ("issue", "validate")


class HeatUpgradeTest(lab_case.LabTestMixin, unittest.TestCase):
    """Three heat nodes: the plain baseline and --zero-downtime."""

    def assert_release(self, release):
        """Every node runs ``release``'s images, keystone and heat.

        Keystone's database is expanded, migrated and contracted to it.
        """
        keystone, heat = VERSIONS[release]
        self.assert_images_of(release, NODES)
        for node in NODES:
            self.assertEqual("keystone %s" % keystone,
                             keystone_lab.node_serves(node), node)
            self.assertEqual(
                {name: heat for name in heat_lab.CONTAINERS},
                heat_lab.node_release(node), node)
            code, output = keystone_lab.database_status(node)
            self.assertEqual(0, code, "%s: keystone-manage db_sync --check:"
                             " %s" % (node, output))

    def assert_all_servers_ready(self):
        for node in NODES:
            for backend in BACKENDS:
                states = helpers.haproxy_admin_states(node, backend)
                self.assertEqual({name: 0 for name in NODES}, states,
                                 "servers of %s left out of service in %s"
                                 % (backend, node))

    def upgrade_heat(self, label, strategy=None):
        return self.release_upgrade(RELEASE, label, RATE, MIN_REQUESTS,
                                    strategy)

    def restore_first_release(self):
        self.restore(FIRST_RELEASE)
        self.assert_release(FIRST_RELEASE)

    def start_from_first_release(self):
        self.bring_up_profile("heat", len(NODES), "heat through the VIP")
        if helpers.lab_status()["target"] != FIRST_RELEASE:
            self.restore_first_release()
        self.assert_release(FIRST_RELEASE)

    def record(self, label, outcome, summary):
        """Print the run's figures and keep them beside its logs."""
        figures = dict(summary["totals"], seconds=outcome.upgrade_seconds,
                       latency=summary["latency"],
                       by_operation=summary["by_operation"])
        with open(os.path.join(self.output_dir(), "%s.json" % label),
                  "w") as stream:
            json.dump(figures, stream, indent=2)
        print(label, json.dumps(figures, indent=2))
        sent = {operation: summary["by_operation"][operation]["sent"]
                for operation in HEAT_OPERATIONS + TOKEN_OPERATIONS}
        for operation, count in sent.items():
            self.assertGreater(count, 0, operation)
        # The rates asked of the probe, over its whole run (it sends on
        # schedule; a skipped request fails the run).
        seconds = summary["totals"]["sent"] / float(RATE)
        for names, rate in ((HEAT_OPERATIONS, HEAT_RATE),
                            (TOKEN_OPERATIONS, TOKEN_RATE)):
            self.assertGreaterEqual(
                sum(sent[name] for name in names) / seconds, rate * 0.95,
                sent)

    def test_plain_release_upgrade_fails_requests(self):
        with helpers.lab_lock():
            self.start_from_first_release()
            outcome, summary, _log = self.upgrade_heat("heat-plain")
            self.record("heat-plain", outcome, summary)
            # kolla-ansible restarts heat on every host at once: the probe
            # sees it, which shows that its requests can fail.
            self.assertGreater(summary["totals"]["failed"], 0,
                               summary["totals"])
            self.assert_release(RELEASE)

    def test_zero_downtime_release_upgrade(self):
        with helpers.lab_lock():
            self.start_from_first_release()
            outcome, summary, log = self.upgrade_heat("heat-zero-downtime",
                                                      strategy="auto")
            self.record("heat-zero-downtime", outcome, summary)
            for node in NODES:
                self.assertIn("zdu | loadbalancer | handoff | %s" % node, log)
                self.assertIn("zdu | memcached | serial | %s" % node, log)
            # The zero-downtime plays ran these roles on every host, so
            # kolla's site.yml pass leaves their plays out.
            for role in ("heat", "keystone", "memcached"):
                self.assertIn('leave out "Apply role %s": the zero-downtime '
                              'plays upgraded %s' % (role, role), log)
                self.assertNotIn("PLAY [Apply role %s]" % role, log)
            self.assert_every_request_answered(
                summary["totals"], "heat-zero-downtime", MIN_REQUESTS)
            self.assert_release(RELEASE)
            self.assert_all_servers_ready()
            self.assert_loadbalancer_whole(NODES)
            self.assert_deploy_changes_nothing(NODES)
