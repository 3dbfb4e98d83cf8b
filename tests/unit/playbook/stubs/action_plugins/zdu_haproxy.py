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
"""Stub ``zdu_haproxy``: records the operation and answers UP."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _recorder  # noqa: E402


class ActionModule(_recorder.RecordingAction):
    NAME = 'zdu_haproxy'

    def key(self, args):
        return args.get('operation', '')

    def answer(self, args, task_vars):
        if args.get('operation') == 'check':
            return {'changed': False, 'operator_out': [],
                    'states': {name: 'UP' for name in args.get('servers')
                               or ()}}
        return {'changed': True}
