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
"""What kolla's site playbook does around a role, read from its plays."""

import yaml

LOADBALANCER_PLAY_ROLE = 'loadbalancer'


def _when(task):
    when = task.get('when') or []
    return [str(item) for item in (when if isinstance(when, list)
                                   else [when])]


def _walk(tasks):
    for task in tasks or ():
        if not isinstance(task, dict):
            continue
        if 'block' in task:
            yield from _walk(task['block'])
            continue
        include = task.get('ansible.builtin.include_role') or \
            task.get('include_role')
        if isinstance(include, dict) and \
                include.get('tasks_from') == LOADBALANCER_PLAY_ROLE:
            found = {'role': str(include.get('name')), 'when': _when(task)}
            if isinstance(task.get('vars'), dict):
                found['vars'] = dict(task['vars'])
            yield found


def loadbalancer_tasks(path):
    """Return the service roles the playbook's loadbalancer play includes.

    :returns: ``[{'role': name, 'when': [condition, ...]}]`` of each
        ``include_role`` with ``tasks_from: loadbalancer`` in the plays
        that apply the ``loadbalancer`` role, in order, with ``'vars'``
        where the task sets some; nothing when the playbook cannot be read
        as plain YAML.
    """
    try:
        with open(path) as stream:
            plays = yaml.safe_load(stream)
    except (OSError, yaml.YAMLError):
        return []
    found = []
    for play in plays if isinstance(plays, list) else ():
        if not isinstance(play, dict):
            continue
        roles = [entry.get('role') if isinstance(entry, dict) else entry
                 for entry in play.get('roles') or ()]
        if LOADBALANCER_PLAY_ROLE in roles:
            found.extend(_walk(play.get('tasks')))
    return found
