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

import dataclasses

from tests.unit import base


class HealthPathTestCase(base.TestCase):

    def backend(self, http_check):
        return dataclasses.replace(base.make_service().backends[0],
                                   http_check=http_check)

    def test_path_of_httpchk(self):
        for line, expected in (
                ('option httpchk GET /healthcheck', '/healthcheck'),
                ('option httpchk GET / HTTP/1.1', '/'),
                ('option httpchk /v3', '/v3'),
                ('option httpchk', '/default'),
                (None, '/default')):
            self.assertEqual(expected,
                             self.backend(line).health_path('/default'),
                             line)
