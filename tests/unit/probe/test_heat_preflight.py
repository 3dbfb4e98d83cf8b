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
"""The heat mode's pre-flight: endpoints, EC2 credential, each operation."""

import collections
from unittest import mock

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.probe import load
from kolla_zdu_plugin.probe import record
from tests.unit.probe import fake_heat
from tests.unit.probe import test_heat

CREDENTIALS = fake_heat.CREDENTIALS_PATH
NO_CFN = dict(heat_stack_list_share=0.6, heat_cfn_share=0.0)


class TestHeatPreflight(test_heat.HeatTestCase):

    def assertPreflightFails(self, *expected, **overrides):
        exc = self.assertRaises(exceptions.ProbeError, self.run_probe,
                                **overrides)
        for text_part in expected:
            self.assertIn(text_part, str(exc))
        return exc

    def test_keystone_is_checked_first(self):
        self.assertPreflightFails("HTTP 401",
                                  "check --os-username/--os-password",
                                  os_password="wrong")
        self.assertEqual({}, self.fake.heat.calls)

    def test_no_orchestration_endpoint(self):
        self.fake.set_catalog(["cloudformation"])
        self.assertPreflightFails(
            "the service catalog of user 'probe' (project 'service')",
            "no public endpoint of type 'orchestration' (public endpoints: "
            "cloudformation, identity)", "--heat-interface",
            "--heat-stack-list-share and --heat-validate-share to 0")

    def test_no_cloudformation_endpoint(self):
        self.fake.set_catalog(["orchestration"])
        self.assertPreflightFails("no public endpoint of type "
                                  "'cloudformation'", "--heat-cfn-share 0")

    def test_no_cloudformation_needed_without_cfn_share(self):
        self.fake.set_catalog(["orchestration"])
        report = self.run_probe(**NO_CFN)
        self.assertEqual(20, report.summary["totals"]["ok"])
        self.assertNotIn(record.CFN_LIST_STACKS,
                         report.summary["by_operation"])
        self.assertEqual({}, self.fake.keystone.calls)

    def test_heat_unavailable(self):
        self.fake.heat.status = 503
        self.assertPreflightFails(
            "heat-stack-list (GET %s/stacks): HTTP 503 (Service "
            "Unavailable); heat-api and heat-engine must answer"
            % self.fake.heat_url())

    def test_validation_refused(self):
        self.fake.heat.post_status = 400
        self.assertPreflightFails("heat-validate (POST %s/validate): "
                                  "HTTP 400" % self.fake.heat_url())

    def test_token_refused_by_heat(self):
        self.fake.heat.status = 401
        self.assertPreflightFails("heat-stack-list", "HTTP 401",
                                  "[keystone_authtoken]")

    def test_heat_unreachable(self):
        self.fake.stop(self.fake.heat)
        self.assertPreflightFails(
            "heat-stack-list (GET %s/stacks)" % self.fake.heat_url(),
            "ConnectionRefusedError", "check that heat-api listens at the "
            "public orchestration endpoint of the service catalog")

    def test_signature_rejected(self):
        self.fake.cfn.reject_signatures = True
        self.assertPreflightFails(
            "cfn-list-stacks (GET %s?Action=ListStacks): HTTP 403 "
            "(SignatureDoesNotMatch: rejected by the fake heat-api-cfn)"
            % self.fake.cfn_url(), "/v3/ec2tokens", "[ec2authtoken]")

    def test_ec2_credentials_refused(self):
        self.fake.keystone.ec2_status = 403
        self.assertPreflightFails(
            "Keystone refused to list the EC2 credentials at %s/v3/users/u1/"
            "credentials/OS-EC2: HTTP 403" % self.fake.url,
            "identity:ec2_create_credential", "--heat-cfn-share 0")
        self.assertEqual({}, self.fake.heat.calls)

    def test_a_credential_is_made_once(self):
        self.fake.keystone.add_credential(project_id="other")
        self.fake.keystone.add_credential(trust_id="t1")
        self.run_probe(duration=0.25)
        self.assertEqual({"GET " + CREDENTIALS: 1, "POST " + CREDENTIALS: 1},
                         self.fake.keystone.calls)
        usable = [credential for credential
                  in self.fake.keystone.ec2_credentials()
                  if credential["tenant_id"] == fake_heat.PROJECT_ID
                  and not credential["trust_id"]]
        self.assertEqual(1, len(usable))
        self.run_probe(duration=0.25)
        self.assertEqual({"GET " + CREDENTIALS: 2, "POST " + CREDENTIALS: 1},
                         self.fake.keystone.calls)
        self.assertEqual(3, len(self.fake.keystone.ec2_credentials()))

    def test_an_existing_credential_is_reused(self):
        self.fake.keystone.add_credential()
        report = self.run_probe()
        self.assertEqual({"GET " + CREDENTIALS: 1}, self.fake.keystone.calls)
        self.assertEqual(
            {None: 4}, collections.Counter(
                rec.kind for rec in report.records
                if rec.operation == record.CFN_LIST_STACKS))

    def test_no_load_after_a_failed_preflight(self):
        self.fake.cfn.status = 503
        with mock.patch.object(load._Sender, "_dispatch") as dispatch:
            self.assertRaises(exceptions.ProbeError, self.run_probe)
        dispatch.assert_not_called()
