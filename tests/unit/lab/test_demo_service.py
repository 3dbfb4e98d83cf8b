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

import json
import os
import tempfile

from kolla_zdu_lab import demo_service
from tests.unit import base


class DemoSchemaTestCase(base.TestCase):
    """The schema marker that makes v1 and v2 unable to serve together."""

    def setUp(self):
        super().setUp()
        directory = tempfile.mkdtemp()
        self.addCleanup(lambda: [os.remove(os.path.join(directory, n))
                                 for n in os.listdir(directory)]
                        and os.rmdir(directory))
        self.marker = os.path.join(directory, 'schema.json')

    def service(self, version, exclusive=True):
        return demo_service.DemoService({
            'version': version, 'schema': int(version[1:]), 'host': 'h',
            'startup_delay': 0, 'max_slow': 1, 'exclusive': exclusive,
            'marker_file': self.marker})

    def get(self, app, path):
        status = []
        body = app({'PATH_INFO': path},
                   lambda code, headers: status.append(code))
        return int(status[0].split()[0]), b''.join(body)

    def test_health_checks_do_not_migrate(self):
        new = self.service('v2')
        self.assertEqual(200, self.get(new, '/healthcheck')[0])
        self.assertIsNone(demo_service.read_schema_marker(self.marker))

    def test_first_request_of_new_release_breaks_the_old(self):
        old, new = self.service('v1'), self.service('v2')
        self.assertEqual(200, self.get(old, '/version')[0])
        self.assertEqual(1, demo_service.read_schema_marker(self.marker))
        code, body = self.get(new, '/version')
        self.assertEqual(200, code)
        self.assertEqual('v2', json.loads(body)['version'])
        self.assertEqual(2, demo_service.read_schema_marker(self.marker))
        self.assertEqual(503, self.get(old, '/healthcheck')[0])
        self.assertEqual(503, self.get(old, '/version')[0])

    def test_old_release_fails_even_without_the_option(self):
        self.get(self.service('v2'), '/')
        self.assertEqual(503, self.get(self.service('v1', exclusive=False),
                                       '/version')[0])

    def test_without_the_option_nothing_is_migrated(self):
        self.get(self.service('v2', exclusive=False), '/')
        self.assertIsNone(demo_service.read_schema_marker(self.marker))
