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
"""``kolla-ansible zdu-plan``: print what a zero-downtime upgrade would do."""

import sys

from cliff import command
from kolla_ansible import ansible as kolla_ansible_args

from kolla_zdu_plugin.cli import options
from kolla_zdu_plugin.conf import loading
from kolla_zdu_plugin.planning import planner
from kolla_zdu_plugin.planning import render


class Plan(command.Command):
    """Print the steps of a zero-downtime upgrade, without running any."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        group = parser.add_argument_group('Plan arguments')
        group.add_argument('-i', '--inventory', metavar='INVENTORY',
                           action='append',
                           help='Inventory of the deployment.')
        group.add_argument('-e', '--extra-vars', metavar='EXTRA_VARS',
                           action='append',
                           help='Extra variables, as for kolla-ansible.')
        group.add_argument('-p', '--playbook', metavar='PLAYBOOK',
                           action='append',
                           help='Custom playbook; roles beside it are '
                                'searched before kolla-ansible\'s.')
        group.add_argument('--format', choices=sorted(
            render.FORMATTERS), default='table',
            help='Output format (default: table).')
        options.add_zdu_args(group)
        kolla_ansible_args.add_kolla_ansible_args(group)
        return parser

    def take_action(self, parsed_args):
        conf = loading.load_config(parsed_args.kolla_config_path,
                                   parsed_args.zdu_config_file,
                                   parsed_args.zdu_strategy)
        service_map = options.build_service_map(parsed_args, conf)
        upgrade_plan = planner.make_plan(service_map, conf)
        sys.stdout.write(render.FORMATTERS[parsed_args.format](
            upgrade_plan))
        return 0
