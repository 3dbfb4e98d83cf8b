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
"""Where kolla's site playbook restarts containers outside its handlers.

A handler restarts a container when its configuration or image changed,
which the zero-downtime plays leave nothing of. A task restarts it every
time it runs: cinder's ``reload.yml`` restarts every cinder container to
drop the RPC version pin, and nova's "Reload global Nova API services"
play restarts nova_api and nova_scheduler on every host at once. This
module reads the plays of a site playbook (and the playbooks it imports),
follows each play's roles and task files as Ansible would for kolla's
``upgrade`` action, and returns every such task with the containers it
restarts.
"""

import dataclasses
import json
import os
import re

import yaml

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.servicemap import model

# kolla_container actions that restart a running container.
RESTART_ACTIONS = ('restart_container', 'recreate_or_restart_container')
_INCLUDE_TASKS = ('import_tasks', 'include_tasks', 'ansible.builtin.'
                  'import_tasks', 'ansible.builtin.include_tasks')
_INCLUDE_ROLE = ('import_role', 'include_role', 'ansible.builtin.'
                 'import_role', 'ansible.builtin.include_role')
_CONTAINER_MODULES = ('kolla_container', 'kolla.kolla_container')
_TASK_LISTS = ('block', 'rescue', 'always')
_PLAY_LISTS = ('pre_tasks', 'tasks', 'post_tasks')
_PLAY_BODY_KEYS = _PLAY_LISTS + ('handlers',)
_SERVICE_KEY = re.compile(r"""_services\s*\[\s*['"]([\w-]+)['"]\s*\]""")


class _AnsibleOnly(Exception):
    """The playbook has tags only Ansible reads."""


def _load(path):
    try:
        with open(path) as stream:
            return yaml.safe_load(stream)
    except yaml.constructor.ConstructorError:
        raise _AnsibleOnly()
    except yaml.YAMLError:
        return None


def _load_playbook(path):
    """Load the playbook the run names; ConfigError if it is missing."""
    try:
        return _load(path)
    except OSError as error:
        raise exceptions.ConfigError(
            reason='cannot read the site playbook %s: %s; check the '
                   '--playbook option and the playbooks it imports'
                   % (path, error))


def _hosts(play):
    hosts = play.get('hosts') or ()
    if isinstance(hosts, str):
        hosts = re.split(r'[:,]', hosts)
    return tuple(str(host).strip() for host in hosts if str(host).strip())


def role_name(entry):
    """Return the role an entry of a play's ``roles`` names."""
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        return entry.get('role') or entry.get('name')
    return None


def _services(task):
    """Return the service keys a restarting task names, or () for all."""
    text = json.dumps(task, default=str)
    keys = _SERVICE_KEY.findall(text)
    if keys:
        return tuple(dict.fromkeys(keys))
    items = task.get('with_items', task.get('loop'))
    if isinstance(items, list) and '[item]' in text.replace(' ', ''):
        return tuple(str(item) for item in items)
    return ()


def _included_role(task):
    for key in _INCLUDE_ROLE:
        spec = task.get(key)
        if isinstance(spec, dict) and isinstance(spec.get('name'), str):
            return spec['name'], str(spec.get('tasks_from') or 'main')
    return None


class SiteReader(object):
    """Follow a site playbook's plays into kolla's roles and task files.

    :param roles: ``{role name: role path}``, as
        :meth:`~.kolla_tree.RoleTree.roles` returns.
    :param action: kolla's action, which names the task file a role's
        ``main.yml`` includes.
    """

    def __init__(self, roles, action='upgrade'):
        self.roles = roles
        self.action = action

    def read(self, playbook):
        """Return the :class:`~.model.SitePlaybook` of ``playbook``.

        The playbooks it imports follow it, each once.
        """
        found = []
        self._read(playbook, found, set())
        if found:
            found[0] = dataclasses.replace(found[0], top=True)
        return found

    def _read(self, playbook, found, seen):
        if playbook in seen:
            return
        seen.add(playbook)
        try:
            plays = _load_playbook(playbook) if not found \
                else _load(playbook)
        except (_AnsibleOnly, OSError):
            found.append(model.SitePlaybook(path=playbook, readable=False))
            return
        entry = len(found)
        found.append(None)
        site_plays, imports = [], []
        for index, play in enumerate(plays if isinstance(plays, list)
                                     else ()):
            if not isinstance(play, dict):
                continue
            site_plays.append(self._play(playbook, index, play))
            if site_plays[-1].imports:
                imports.append(site_plays[-1].imports)
        found[entry] = model.SitePlaybook(path=playbook,
                                          plays=tuple(site_plays),
                                          readable=isinstance(plays, list))
        for path in imports:
            self._read(path, found, seen)

    def _play(self, playbook, index, play):
        name = str(play.get('name') or '')
        imported = play.get('import_playbook')
        if isinstance(imported, str):
            path = None if '{{' in imported else os.path.join(
                os.path.dirname(playbook), imported)
            return model.SitePlay(index=index, name=name, imports=path,
                                  raw=play)
        roles = tuple(str(role_name(entry))
                      for entry in play.get('roles') or ())
        restarts = []
        for role in roles:
            restarts.extend(self._role(role, 'main', set()))
        tasks_from = []
        for key in _PLAY_LISTS:
            for task in play.get(key) or ():
                if isinstance(task, dict) and _included_role(task):
                    tasks_from.append(_included_role(task))
            restarts.extend(self._tasks(None, None, play.get(key), set()))
        return model.SitePlay(
            index=index, name=name, hosts=_hosts(play), roles=roles,
            only_roles=bool(roles) and not any(
                play.get(key) for key in _PLAY_BODY_KEYS),
            tasks_from=tuple(tasks_from),
            restarts=tuple(dict.fromkeys(restarts)), raw=play)

    def _role(self, role, tasks_from, seen):
        path = self.roles.get(role)
        if path is None:
            return []
        name = tasks_from if tasks_from.endswith(('.yml', '.yaml')) \
            else tasks_from + '.yml'
        return self._file(role, os.path.join(path, 'tasks', name), seen)

    def _file(self, role, path, seen):
        if path in seen or not os.path.isfile(path):
            return []
        seen = seen | {path}
        try:
            tasks = _load(path)
        except (_AnsibleOnly, OSError):
            return []
        return self._tasks(role, path, tasks, seen)

    def _tasks(self, role, path, tasks, seen):
        found = []
        for task in tasks if isinstance(tasks, list) else ():
            if not isinstance(task, dict):
                continue
            for key in _TASK_LISTS:
                found.extend(self._tasks(role, path, task.get(key), seen))
            found.extend(self._include(role, path, task, seen))
            restart = self._restart(role, path, task)
            if restart is not None:
                found.append(restart)
        return found

    def _include(self, role, path, task, seen):
        included = _included_role(task)
        if included:
            return self._role(included[0], included[1], seen)
        for key in _INCLUDE_TASKS:
            spec = task.get(key)
            if isinstance(spec, dict):
                spec = spec.get('file')
            if not isinstance(spec, str) or path is None:
                continue
            name = re.sub(r'\{\{\s*kolla_action\s*\}\}', self.action,
                          spec)
            if '{{' in name:
                return []
            return self._file(role, os.path.join(os.path.dirname(path),
                                                 name), seen)
        return []

    def _restart(self, role, path, task):
        if role is None:
            return None
        for module in _CONTAINER_MODULES:
            args = task.get(module)
            if isinstance(args, dict) and \
                    args.get('action') in RESTART_ACTIONS:
                return model.Restart(
                    role=role, task=str(task.get('name') or ''),
                    path=os.path.relpath(path, self.roles[role]),
                    services=_services(task))
        return None
