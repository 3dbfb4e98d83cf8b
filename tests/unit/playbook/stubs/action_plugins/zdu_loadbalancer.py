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
"""Stub ``zdu_loadbalancer``: records the operation and its container.

``ZDU_STUB_VIP_HOLDER`` names the host that holds the VIP.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _recorder  # noqa: E402


class ActionModule(_recorder.RecordingAction):
    NAME = 'zdu_loadbalancer'

    def key(self, args):
        operation = args.get('operation', '')
        if operation in ('stop_container', 'start_container'):
            return '%s %s' % (operation, args.get('container', 'haproxy'))
        return operation

    def answer(self, args, task_vars):
        host = task_vars.get('inventory_hostname')
        if args.get('operation') == 'holds':
            return {'changed': False, 'holds': host == os.environ.get(
                'ZDU_STUB_VIP_HOLDER')}
        if args.get('operation') == 'start_bridge':
            return {'changed': True, 'bridged': True}
        return {'changed': True}
