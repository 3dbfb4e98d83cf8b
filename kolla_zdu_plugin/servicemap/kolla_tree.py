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
"""Read the installed kolla-ansible's roles and group variables.

Nothing here knows any service by name: services are found as the
``<project>_services`` dictionaries of every role's defaults.
"""

import glob
import os

import yaml

from kolla_zdu_plugin import exceptions

SERVICES_SUFFIX = '_services'
_LOADER = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)


def kolla_ansible_dir():
    """Return the ``ansible`` directory of the installed kolla-ansible."""
    try:
        from kolla_ansible import utils
    except ImportError:
        raise exceptions.InventoryError(
            reason='kolla-ansible is not installed in this Python '
                   'environment; install kolla-zdu-plugin into the '
                   'virtualenv of kolla-ansible')
    path = utils.get_data_files_path('ansible')
    if not os.path.isdir(os.path.join(path, 'roles')):
        raise exceptions.InventoryError(
            reason='kolla-ansible playbooks not found at %s; set '
                   'KOLLA_ANSIBLE_DATA_FILES_PATH or reinstall '
                   'kolla-ansible' % path)
    return path


def load_yaml(path):
    """Load one YAML file, naming the file when it is invalid."""
    try:
        with open(path) as stream:
            return yaml.load(stream, Loader=_LOADER) or {}  # nosec
    except (OSError, yaml.YAMLError) as exc:
        raise exceptions.InventoryError(
            reason='cannot read %s: %s' % (path, exc))


def load_vars_dir(path):
    """Merge ``group_vars/all``: a YAML file, or a directory of them.

    :param path: the ``group_vars/all`` path without extension.
    """
    merged = {}
    for name in ([path + '.yml', path + '.yaml']
                 + sorted(glob.glob(os.path.join(path, '*.yml')))):
        if os.path.isfile(name):
            merged.update(load_yaml(name))
    return merged


class RoleTree(object):
    """The roles of one or more role directories, first match wins."""

    def __init__(self, role_dirs):
        self.role_dirs = [d for d in role_dirs if os.path.isdir(d)]

    def roles(self):
        """Return ``{role name: role path}``."""
        found = {}
        for role_dir in self.role_dirs:
            for name in sorted(os.listdir(role_dir)):
                path = os.path.join(role_dir, name)
                if os.path.isdir(path):
                    found.setdefault(name, path)
        return found

    def defaults(self):
        """Return ``{role name: defaults dict}`` for roles with defaults."""
        result = {}
        for name, path in self.roles().items():
            defaults_file = os.path.join(path, 'defaults', 'main.yml')
            if os.path.isfile(defaults_file):
                result[name] = load_yaml(defaults_file)
        return result

    def handlers_text(self, role):
        """Return the text of a role's handlers, or '' if it has none."""
        path = os.path.join(self.roles().get(role, ''), 'handlers',
                            'main.yml')
        if not os.path.isfile(path):
            return ''
        with open(path) as stream:
            return stream.read()


def services_dicts(role_defaults):
    """Yield ``(role, variable name, services dict)`` from role defaults."""
    for role, defaults in sorted(role_defaults.items()):
        for name, value in defaults.items():
            if (name.endswith(SERVICES_SUFFIX) and isinstance(value, dict)
                    and value
                    and all(isinstance(v, dict) for v in value.values())):
                yield role, name, value
