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
"""Ansible action ``zdu_summary``: summarize a run on the controller."""

import json
import os

from ansible.plugins.action import ActionBase

from kolla_zdu_plugin import run_report


class ActionModule(ActionBase):
    """Write ``summary.txt`` into the run directory and return its lines."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('run_dir',))

    def run(self, tmp=None, task_vars=None):
        """Read the run's events and plan; return the summary lines."""
        result = super().run(tmp, task_vars)
        run_dir = self._task.args['run_dir']
        with open(os.path.join(run_dir, 'plan.json')) as stream:
            plan = json.load(stream)
        lines = run_report.summarize(run_report.read_events(
            os.path.join(run_dir, run_report.EVENTS_FILE)), plan)
        with open(os.path.join(run_dir, run_report.SUMMARY_FILE), 'w') as f:
            f.write('\n'.join(lines) + '\n')
        result.update(changed=False, lines=lines)
        return result
