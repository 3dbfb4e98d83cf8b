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

from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.vars.manager import VariableManager

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.servicemap import variables


class Deployment(object):
    """Inventory, kolla config dir and extra vars of one deployment.

    They are read with Ansible's own loader and inventory, as
    ``kolla-ansible`` passes them to ``ansible-playbook``: globals.yml (and
    globals.d) and the ``-e`` values are the run's extra variables.

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
        self.loader = DataLoader()
        self.inventory = InventoryManager(loader=self.loader,
                                          sources=self.inventories)
        self._inventory_vars = VariableManager(loader=self.loader,
                                               inventory=self.inventory)
        self._host_vars = {}
        self.globals = self._load_globals()
        for text in extra_vars or ():
            try:
                self.globals.update(variables.parse_extra_vars(self.loader,
                                                               text))
            except (ValueError, variables.AnsibleError) as exc:
                raise exceptions.InventoryError(
                    reason='extra vars %r cannot be read: %s' % (text, exc))

    def _load_file(self, path):
        try:
            return variables.load_file(self.loader, path)
        except variables.AnsibleError as exc:
            raise exceptions.InventoryError(
                reason='cannot read %s: %s' % (path, exc))

    def _load_globals(self):
        globals_file = os.path.join(self.config_dir, 'globals.yml')
        if not os.path.isfile(globals_file):
            raise exceptions.InventoryError(
                reason='%s does not exist; pass the kolla config dir with '
                       '--configdir' % globals_file)
        merged = dict(self._load_file(globals_file))
        globals_d = os.path.join(self.config_dir, 'globals.d')
        if os.path.isdir(globals_d):
            for name in sorted(os.listdir(globals_d)):
                if os.path.splitext(name)[1] in ('.yml', '.yaml', '.json'):
                    merged.update(self._load_file(
                        os.path.join(globals_d, name)))
        return merged

    @property
    def groups(self):
        """Return ``{group: [hosts]}`` as Ansible sees the inventory."""
        return self.inventory.get_groups_dict()

    def hosts(self):
        """Return every inventory host name."""
        return [host.name for host in self.inventory.get_hosts()]

    def host_vars(self, host):
        """Return the inventory variables of ``host``, unevaluated.

        These are the operator's inventory alone (no playbook, role or
        extra variable), to tell what the operator set for the host.
        """
        if host not in self._host_vars:
            inventory_host = self.inventory.get_host(host)
            if inventory_host is None:
                raise exceptions.InventoryError(
                    reason='host %s is not in inventory %s'
                           % (host, ', '.join(self.inventories)))
            values = self._inventory_vars.get_vars(host=inventory_host,
                                                   include_hostvars=False)
            self._host_vars[host] = {key: value for key, value
                                     in values.items()
                                     if key != 'ansible_facts'}
        return self._host_vars[host]
