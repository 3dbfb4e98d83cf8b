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
"""The ``kolla_ansible.cli.upgrade`` hook adding ``--zero-downtime``.

Without ``--zero-downtime`` the hook returns the arguments untouched, so
``kolla-ansible upgrade`` runs exactly as it does without the plugin.
"""

from cliff import hooks

from kolla_zdu_plugin.cli import options
from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin import upgrade_run


# kolla-ansible options that select part of the run, which the
# zero-downtime plays do not honour yet.
SELECTIONS = (('--tags', 'tags'), ('--skip-tags', 'skip_tags'),
              ('--limit', 'limit'))


def refuse_selections(parsed_args):
    """Refuse options that would upgrade part of what the plan shows.

    The zero-downtime plays upgrade every planned service on every host,
    and the site pass after them leaves out or narrows the plays of the
    roles they ran: with
    ``--tags keystone`` the run would end with keystone not upgraded and
    exit 0. So these options are refused before anything runs.

    :raises: ConfigError naming the option.
    """
    for flag, attribute in SELECTIONS:
        value = getattr(parsed_args, attribute, None)
        if value:
            raise exceptions.ConfigError(
                reason='%s %s cannot be combined with --zero-downtime: the '
                       'zero-downtime plays upgrade every planned service '
                       'on every host, so part of the upgrade would be '
                       'skipped or left out silently. Run the whole '
                       'upgrade with --zero-downtime, or run kolla-ansible '
                       'upgrade %s %s without it.'
                       % (flag, value, flag, value))


class ZeroDowntimeHook(hooks.CommandHook):
    """Add the zero-downtime options to ``kolla-ansible upgrade``."""

    def get_parser(self, parser):
        """Add ``--zero-downtime`` and the plugin's options."""
        group = parser.add_argument_group(
            'Zero-downtime upgrade (kolla-zdu-plugin)')
        group.add_argument(
            '--zero-downtime', action='store_true',
            help='Upgrade HAProxy-fronted services so that clients see no '
                 'failed request; see kolla-ansible zdu-plan.')
        options.add_zdu_args(group)
        return parser

    def get_epilog(self):
        """Return no extra help text."""
        return ''

    def before(self, parsed_args):
        """Plan the zero-downtime upgrade and point kolla at its playbook.

        :raises: ZduError, before anything runs on the cluster, when an
            option, file, host or service is wrong.
        """
        if not parsed_args.zero_downtime:
            for flag, value in (('--zdu-strategy', parsed_args.zdu_strategy),
                                ('--zdu-config-file',
                                 parsed_args.zdu_config_file)):
                if value:
                    raise exceptions.ConfigError(
                        reason='%s only applies together with '
                               '--zero-downtime' % flag)
            return parsed_args
        refuse_selections(parsed_args)
        return upgrade_run.prepare(parsed_args)

    def after(self, parsed_args, return_code):
        """Return the command's own return code."""
        return return_code
