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
"""A deployment's variables as Ansible itself sees them.

Ansible's own inventory, variable manager and templar evaluate kolla's
values, with Ansible's precedence: a role's defaults (for that role only),
the inventory's and the playbook's group and host variables, globals.yml
and ``-e``. kolla-ansible's filter plugins are loaded, as a run loads them.
What only a live host knows (its facts, such as the address of an
interface) cannot be evaluated here and is reported as :class:`Unresolved`.
"""

import os

from ansible.errors import AnsibleError
from ansible.parsing.dataloader import DataLoader
from ansible.parsing.splitter import parse_kv
from ansible.plugins import loader as plugin_loader
from ansible.utils.vars import combine_vars
from ansible.vars.hostvars import HostVars
from ansible.vars.manager import VariableManager

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19 templates every string
    def trust_as_template(value):
        return value

from ansible.template import Templar

_TRUE_STRINGS = ('yes', 'on', '1', 'true', 't', 'y')
_PLUGINS_READY = []


class Unresolved(Exception):
    """A value depends on something only a live deployment knows."""


def to_bool(value):
    """Convert a value to a boolean the way Ansible's ``bool`` filter does."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE_STRINGS


def trusted(value):
    """Return ``value`` with its strings trusted as templates.

    Ansible trusts the variable files and ``-e`` values of a run so.
    """
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, dict):
        return {key: trusted(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [trusted(item) for item in value]
    return value


def plain(value):
    """Return ``value`` as plain Python data, without Ansible's tags.

    Ansible marks what it loads and renders (trust, origin) with subclasses
    of str, int and the containers; the service map keeps plain values,
    which any serializer writes.
    """
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str.__str__(value) if type(value) is not str else value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dict):
        return {plain(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def load_file(loader, path):
    """Load a YAML or JSON variable file, trusted as Ansible does."""
    try:
        data = loader.load_from_file(path, trusted_as_template=True)
    except TypeError:  # ansible-core < 2.19
        data = loader.load_from_file(path)
    return data or {}


def parse_extra_vars(loader, text):
    """Return the variables of one ``-e`` value as ansible-playbook does.

    :raises: ValueError when it is not ``@file``, YAML/JSON or key=value.
    """
    if text.startswith('@'):
        data = load_file(loader, text[1:])
    elif text[:1] in ('/', '.'):
        raise ValueError('extra vars file %s needs a leading @' % text)
    elif text[:1] in ('[', '{'):
        data = trusted(loader.load(text))
    else:
        data = trusted(parse_kv(text))
    if not isinstance(data, dict):
        raise ValueError('extra vars %r are not a mapping' % text)
    return data


def _load_plugins(directories):
    """Make Ansible's plugin loader ready, with kolla's filters, once."""
    if not _PLUGINS_READY:
        init = getattr(plugin_loader, 'init_plugin_loader', None)
        if init is not None:
            init([])
        _PLUGINS_READY.append(True)
    for directory in directories:
        if os.path.isdir(directory):
            plugin_loader.filter_loader.add_directory(directory)


class Scope(object):
    """One host's variables, with one role's defaults beneath them."""

    def __init__(self, loader, variables):
        self._variables = variables
        self._templar = Templar(loader=loader, variables=variables)

    def has(self, name):
        """Return whether ``name`` is defined for the host."""
        return name in self._variables

    def raw(self, name):
        """Return the value of ``name`` before evaluation.

        :raises: KeyError when it is not defined.
        """
        return self._variables[name]

    def render(self, value):
        """Evaluate ``value`` as Ansible would on the host.

        :raises: Unresolved when it needs what only a live host knows, or
            refers to a variable that is not defined.
        """
        try:
            return plain(self._templar.template(trusted(value)))
        except AnsibleError as exc:
            raise Unresolved(str(exc).splitlines()[0])


class DeploymentVariables(object):
    """Ansible's variables of a deployment, for each host and role.

    :param inventories: the deployment's inventory sources.
    :param extra_vars: globals.yml and ``-e``, merged, trusted.
    :param playbook_dir: the directory of the playbook that runs, whose
        ``group_vars`` and ``host_vars`` Ansible applies.
    :param filter_dirs: directories of filter plugins to load (kolla's).
    """

    def __init__(self, inventories, extra_vars, playbook_dir,
                 filter_dirs=()):
        _load_plugins(filter_dirs)
        from ansible.inventory.manager import InventoryManager
        from ansible.playbook.play import Play
        self._loader = loader = DataLoader()
        loader.set_basedir(playbook_dir)
        inventory = InventoryManager(loader=loader, sources=inventories)
        self._manager = VariableManager(loader=loader, inventory=inventory)
        # As ansible-playbook sets them: the -e values and hostvars.
        self._manager._extra_vars = extra_vars
        self._manager._hostvars = HostVars(
            inventory=inventory, variable_manager=self._manager,
            loader=loader)
        self._inventory = inventory
        self._play = Play.load({'hosts': 'all', 'gather_facts': False},
                               variable_manager=self._manager,
                               loader=loader)
        self._host_vars = {}

    def set_facts(self, host, facts):
        """Give ``host`` facts, as a fact cache or the setup module would.

        The service map has no live host to ask; the builder gives each
        host stand-ins for the few facts kolla's values read (its short
        name and the address of its API interface) and marks what comes
        from them.
        """
        self._manager.set_host_facts(host, trusted(facts))
        self._host_vars.pop(host, None)

    def host_vars(self, host):
        """Return every variable of ``host`` but role defaults."""
        if host not in self._host_vars:
            self._host_vars[host] = self._manager.get_vars(
                play=self._play, host=self._inventory.get_host(host))
        return self._host_vars[host]

    def scope(self, host, role_defaults=()):
        """Return the :class:`Scope` of ``host`` inside roles.

        :param role_defaults: the defaults of the roles in scope, the
            lowest precedence, a later role's above an earlier one's.
        """
        variables = {}
        for defaults in role_defaults:
            variables = combine_vars(variables, defaults)
        return Scope(self._loader,
                     combine_vars(variables, self.host_vars(host)))

    def load_defaults(self, path):
        """Return a role's ``defaults/main.yml``, trusted, or {}."""
        if not os.path.isfile(path):
            return {}
        return load_file(self._loader, path)
