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
"""The operator's side of a deployment: inventory, globals and extra vars."""

import os

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.servicemap import kolla_tree

_MAGIC_VARS_FROM_INVENTORY = ('groups', 'group_names', 'inventory_hostname',
                              'inventory_hostname_short', 'inventory_dir',
                              'inventory_file')


def _parse_extra_var(text, base_dir):
    if text.startswith('@'):
        path = os.path.join(base_dir, text[1:])
        return kolla_tree.load_yaml(path)
    if '=' in text and not text.lstrip().startswith('{'):
        result = {}
        for pair in text.split():
            key, _, value = pair.partition('=')
            result[key] = value
        return result
    import yaml
    try:
        return yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise exceptions.InventoryError(
            reason='extra vars %r are not key=value, YAML or JSON: %s'
                   % (text, exc))


class Deployment(object):
    """Inventory, kolla config dir and extra vars of one deployment.

    :param inventories: inventory paths, as given to ``-i``.
    :param config_dir: the kolla config dir holding ``globals.yml``.
    :param extra_vars: ``-e`` values, ``key=value``, YAML or ``@file``.
    """

    def __init__(self, inventories, config_dir, extra_vars=()):
        self.config_dir = os.path.abspath(config_dir)
        self.inventories = [os.path.abspath(i) for i in inventories]
        for path in self.inventories:
            if not os.path.exists(path):
                raise exceptions.InventoryError(
                    reason='inventory %s does not exist; pass an existing '
                           'file or directory with -i' % path)
        self._inventory, self._variable_manager = self._load_inventory()
        self._host_vars = {}
        self.globals = self._load_globals()
        for text in extra_vars or ():
            self.globals.update(_parse_extra_var(text, os.getcwd()))

    def _load_inventory(self):
        from ansible.inventory.manager import InventoryManager
        from ansible.parsing.dataloader import DataLoader
        from ansible.vars.manager import VariableManager
        loader = DataLoader()
        inventory = InventoryManager(loader=loader, sources=self.inventories)
        return inventory, VariableManager(loader=loader, inventory=inventory)

    def _load_globals(self):
        globals_file = os.path.join(self.config_dir, 'globals.yml')
        if not os.path.isfile(globals_file):
            raise exceptions.InventoryError(
                reason='%s does not exist; pass the kolla config dir with '
                       '--configdir' % globals_file)
        merged = kolla_tree.load_yaml(globals_file)
        globals_d = os.path.join(self.config_dir, 'globals.d')
        if os.path.isdir(globals_d):
            for name in sorted(os.listdir(globals_d)):
                if os.path.splitext(name)[1] in ('.yml', '.yaml', '.json'):
                    merged.update(kolla_tree.load_yaml(
                        os.path.join(globals_d, name)))
        return merged

    @property
    def groups(self):
        """Return ``{group: [hosts]}`` as Ansible sees the inventory."""
        return self._inventory.get_groups_dict()

    def hosts(self):
        """Return every inventory host name."""
        return [host.name for host in self._inventory.get_hosts()]

    def host_vars(self, host):
        """Return the inventory variables of ``host``, unevaluated.

        Group and host variables of the inventory are merged by Ansible's
        own precedence, together with the magic variables an inventory
        defines (``groups``, ``inventory_hostname`` ...). Ansible merges
        them once per host.
        """
        if host not in self._host_vars:
            self._host_vars[host] = self._merged_host_vars(host)
        return self._host_vars[host]

    def _merged_host_vars(self, host):
        inventory_host = self._inventory.get_host(host)
        if inventory_host is None:
            raise exceptions.InventoryError(
                reason='host %s is not in inventory %s'
                       % (host, ', '.join(self.inventories)))
        values = self._variable_manager.get_vars(host=inventory_host,
                                                 include_hostvars=False)
        return {key: value for key, value in values.items()
                if key != 'ansible_facts'}
