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
"""AWS signature version 2 of CloudFormation requests."""

import base64
import hashlib
import hmac
import urllib.parse

from oslotest import base

from kolla_zdu_plugin.probe import cfn_signature

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def _hmac_sha256_base64(secret, text):
    digest = hmac.new(secret.encode(), text.encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


class TestSignature(base.BaseTestCase):

    def test_published_example(self):
        # The example of AWS's "Signature Version 2 signing process".
        params = {"Action": "DescribeJobFlows", "Version": "2009-03-31",
                  "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE",
                  "SignatureVersion": "2", "SignatureMethod": "HmacSHA256",
                  "Timestamp": "2011-10-03T15:19:30"}
        self.assertEqual(
            "GET\nelasticmapreduce.amazonaws.com\n/\n"
            "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Action=DescribeJobFlows&"
            "SignatureMethod=HmacSHA256&SignatureVersion=2&"
            "Timestamp=2011-10-03T15%3A19%3A30&Version=2009-03-31",
            cfn_signature.string_to_sign(
                "GET", "elasticmapreduce.amazonaws.com", "/", params))
        self.assertEqual(
            "i91nKc4PWAt0JJIdXwz9HxZCJDdiy6cf/Mj6vPxyYIs=",
            cfn_signature.signature(
                SECRET, "GET", "elasticmapreduce.amazonaws.com", "/",
                params))

    def test_list_stacks_with_port_and_upper_case_host(self):
        params = {"Action": "ListStacks", "Version": "2010-05-15",
                  "AWSAccessKeyId": "0a1b2c", "SignatureVersion": "2",
                  "SignatureMethod": "HmacSHA256",
                  "Timestamp": "2024-01-02T03:04:05Z",
                  "StackName": "a b/c~d+e"}
        expected = _hmac_sha256_base64(
            "s3cr3t",
            "GET\nheat.example.org:8000\n/v1\n"
            "AWSAccessKeyId=0a1b2c&Action=ListStacks&"
            "SignatureMethod=HmacSHA256&SignatureVersion=2&"
            "StackName=a%20b%2Fc~d%2Be&Timestamp=2024-01-02T03%3A04%3A05Z&"
            "Version=2010-05-15")
        self.assertEqual(expected, cfn_signature.signature(
            "s3cr3t", "GET", "Heat.Example.ORG:8000", "/v1", params))

    def test_names_sort_by_byte_value(self):
        self.assertEqual("B=2&a=1&b=3", cfn_signature.canonical_query(
            {"a": "1", "b": "3", "B": "2"}))


class TestHostHeader(base.BaseTestCase):

    def test_host_header(self):
        cases = [
            ("http://192.0.2.10:8000/v1", "192.0.2.10:8000"),
            ("http://Heat.Example.org:80/v1", "heat.example.org"),
            ("https://heat.example.org:443/v1", "heat.example.org"),
            ("https://heat.example.org:8000/v1", "heat.example.org:8000"),
            ("http://heat.example.org/v1", "heat.example.org"),
            ("http://[fd00::10]:8000/v1", "[fd00::10]:8000"),
            ("http://[fd00::10]/v1", "[fd00::10]"),
        ]
        for url, host in cases:
            self.assertEqual(host, cfn_signature.host_header(url), url)


class TestSignedUrl(base.BaseTestCase):

    def test_signed_url_verifies_independently(self):
        url = cfn_signature.signed_url(
            "http://192.0.2.10:8000/v1", "AK", "s3cr3t",
            {"Action": "ListStacks", "Version": "2010-05-15"}, 1704164645.9)
        parts = urllib.parse.urlsplit(url)
        self.assertEqual(("http", "192.0.2.10:8000", "/v1/"),
                         (parts.scheme, parts.netloc, parts.path))
        params = dict(urllib.parse.parse_qsl(parts.query))
        signature = params.pop("Signature")
        self.assertEqual({"Action": "ListStacks", "Version": "2010-05-15",
                          "AWSAccessKeyId": "AK",
                          "SignatureMethod": "HmacSHA256",
                          "SignatureVersion": "2",
                          "Timestamp": "2024-01-02T03:04:05Z"}, params)
        self.assertEqual(_hmac_sha256_base64(
            "s3cr3t",
            "GET\n192.0.2.10:8000\n/v1/\nAWSAccessKeyId=AK&"
            "Action=ListStacks&SignatureMethod=HmacSHA256&"
            "SignatureVersion=2&Timestamp=2024-01-02T03%3A04%3A05Z&"
            "Version=2010-05-15"), signature)

    def test_endpoint_without_path_signs_the_root(self):
        url = cfn_signature.signed_url("http://h:8000", "AK", "s", {}, 0)
        self.assertTrue(url.startswith("http://h:8000/?AWSAccessKeyId=AK&"))
