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
"""Command-line options shared by the upgrade hook and zdu-plan."""

import os

from kolla_zdu_plugin.servicemap import builder
from kolla_zdu_plugin.servicemap import deployment
from kolla_zdu_plugin.strategies import loader


def add_zdu_args(group):
    """Add ``--zdu-strategy`` and ``--zdu-config-file`` to ``group``.

    The strategy choices are the installed entry points of the
    ``kolla_zdu_plugin.strategies`` namespace, a vendor's included.
    """
    group.add_argument(
        '--zdu-strategy',
        choices=loader.installed_strategies(),
        help='Strategy for every service without an override in '
             '[zdu] service_strategies (default: [zdu] strategy, auto).')
    group.add_argument(
        '--zdu-config-file',
        metavar='PATH',
        help='Configuration file of the plugin (default: zdu.conf in the '
             'kolla config dir).')


def inventory_paths(parsed_args):
    """Return the inventories, defaulting like kolla-ansible does."""
    if parsed_args.inventory:
        return parsed_args.inventory
    return [os.path.join(os.path.abspath(parsed_args.kolla_config_path),
                         'ansible', 'inventory', 'all-in-one')]


def playbook_dirs(parsed_args):
    """Return the directories of the custom playbooks, if any."""
    return [os.path.dirname(os.path.abspath(path))
            for path in getattr(parsed_args, 'playbook', None) or ()]


def build_service_map(parsed_args, conf):
    """Return the service map of the deployment the arguments name."""
    target = deployment.Deployment(
        inventory_paths(parsed_args), parsed_args.kolla_config_path,
        getattr(parsed_args, 'extra_vars', None) or ())
    directories = playbook_dirs(parsed_args)
    return builder.ServiceMapBuilder(
        target,
        extra_role_dirs=[os.path.join(d, 'roles') for d in directories],
        loadbalancer_group=conf.haproxy.loadbalancer_group,
        playbook_dirs=directories,
        site_playbooks=[os.path.abspath(path) for path in
                        getattr(parsed_args, 'playbook', None) or ()]).build()
