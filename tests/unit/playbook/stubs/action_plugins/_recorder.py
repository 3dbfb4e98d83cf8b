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
"""What the stub actions share: a call log and the failures asked for.

``ZDU_STUB_LOG`` names a JSON-lines file every call is appended to.
``ZDU_STUB_FAIL`` is a comma-separated list of ``action:host:key`` to fail
the first time, or ``action:host:key:N`` to fail the first N times.
"""

import json
import os

from ansible.plugins.action import ActionBase


def _calls():
    path = os.environ['ZDU_STUB_LOG']
    if not os.path.exists(path):
        return []
    with open(path) as stream:
        return [json.loads(line) for line in stream if line.strip()]


class RecordingAction(ActionBase):
    """Record the call; fail it when ``ZDU_STUB_FAIL`` says so."""

    TRANSFERS_FILES = False
    NAME = None

    def key(self, args):
        return ''

    def answer(self, args, task_vars):
        return {'changed': True}

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        host = (self._task.delegate_to
                or task_vars.get('inventory_hostname'))
        role = self._task._role
        call = {'action': self.NAME, 'host': host,
                'for': task_vars.get('inventory_hostname'),
                'key': self.key(args), 'args': args,
                'role': role.get_name() if role else None}
        earlier = [c for c in _calls() if (c['action'], c['host'], c['key'])
                   == (self.NAME, host, call['key'])]
        failing = False
        for spec in filter(None, os.environ.get('ZDU_STUB_FAIL',
                                                '').split(',')):
            parts = spec.split(':')
            times = int(parts[3]) if len(parts) > 3 else 1
            if parts[:3] == [self.NAME, host, call['key']] \
                    and len(earlier) < times:
                failing = True
        call['failed'] = failing
        with open(os.environ['ZDU_STUB_LOG'], 'a') as stream:
            stream.write(json.dumps(call, sort_keys=True) + '\n')
        if failing:
            result.update(failed=True, msg='%s failed on %s (stub)'
                          % (self.NAME, host))
            return result
        result.update(self.answer(args, task_vars))
        return result
