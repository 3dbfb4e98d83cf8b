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
"""Stub ``kolla_container_facts``: every container runs image ``v1``.

Containers named in ``ZDU_STUB_MISSING`` (comma-separated) do not exist.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _recorder  # noqa: E402


class ActionModule(_recorder.RecordingAction):
    NAME = 'kolla_container_facts'

    def answer(self, args, task_vars):
        missing = os.environ.get('ZDU_STUB_MISSING', '').split(',')
        return {'changed': False, 'containers': {
            name: {'Config': {'Image': 'registry/api:1'}}
            for name in args.get('name') or () if name not in missing}}
