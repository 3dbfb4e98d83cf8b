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
"""``kolla-ansible zdu-hold``: install the buffer strategy's HAProxy hold.

The bounds come from ``[buffer]`` of zdu.conf, so the hold HAProxy applies
is the one the plan prints, and the pre-flight check of a run compares
them. The command writes into the kolla config dir:

* ``globals.d/zdu-hold.yml``: ``haproxy_socket_level_admin`` and
  ``haproxy_backend_http_extra`` (the lines of globals.yml, then the hold's);
* ``<node_custom_config>/haproxy/services.d/00-zdu-hold.cfg``, which
  loads the Lua action;

installs the Lua action on every loadbalancer host with the plugin's
``zdu-hold.yml`` playbook, and says to apply it with ``kolla-ansible
reconfigure -t loadbalancer``.
"""

import datetime
import os
import shutil
import sys

from cliff import command
from kolla_ansible.cli import commands as kolla_commands
import yaml

from kolla_zdu_plugin.cli import options
from kolla_zdu_plugin.conf import loading
from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.haproxy import hold_config
from kolla_zdu_plugin.playbook import workspace
from kolla_zdu_plugin.probe import files
from kolla_zdu_plugin.servicemap import kolla_tree

GLOBALS_FILE = 'zdu-hold.yml'
PLAYBOOK = 'zdu-hold.yml'


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    files.write_atomically(path, text.encode('utf-8'))
    return path


def hold_files(config_dir, conf):
    """Return ``{path: text}`` of the deploy host's hold files.

    :raises: InventoryError naming globals.yml when it cannot be read.
    """
    path = os.path.join(config_dir, 'globals.yml')
    globals_yml = kolla_tree.load_yaml(path) if os.path.isfile(path) else {}
    custom = globals_yml.get('node_custom_config')
    if not isinstance(custom, str) or '{{' in custom:
        custom = os.path.join(config_dir, 'config')
    overrides = hold_config.globals_overrides(
        conf.buffer.max_hold_time, conf.buffer.max_held_requests,
        existing=globals_yml.get('haproxy_backend_http_extra') or ())
    header = ('# Written by kolla-ansible zdu-hold from [buffer] of %s; '
              'run it again after changing them.\n'
              % loading.config_source(conf))
    return {
        os.path.join(config_dir, 'globals.d', GLOBALS_FILE):
            '---\n' + header + yaml.safe_dump(overrides,
                                              default_flow_style=False,
                                              width=1000),
        os.path.join(custom, 'haproxy', 'services.d',
                     hold_config.GLOBAL_FILE): hold_config.global_config(),
    }


class Hold(kolla_commands.KollaAnsibleMixin, command.Command):
    """Install the HAProxy hold of the buffer strategy from zdu.conf."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        options.add_zdu_args(parser.add_argument_group('Plugin arguments'))
        return parser

    @staticmethod
    def run_dir(conf):
        """Lay out the directory the playbook runs from.

        As an upgrade's run directory, it links kolla's roles, modules and
        group_vars, and the plugin's.
        """
        stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S-%f')
        run_dir = os.path.join(conf.zdu.report_dir, 'hold-' + stamp)
        try:
            os.makedirs(run_dir)
        except OSError as exc:
            raise exceptions.ConfigError(
                reason='cannot create %s ([zdu] report_dir in %s): %s'
                       % (run_dir, loading.config_source(conf), exc))
        kolla_dir = kolla_tree.kolla_ansible_dir()
        workspace.prepare(run_dir, kolla_dir,
                          os.path.join(kolla_dir, 'site.yml'))
        shutil.copy(os.path.join(workspace.plugin_ansible_dir(), PLAYBOOK),
                    run_dir)
        return run_dir

    def take_action(self, parsed_args):
        conf = loading.load_config(parsed_args.kolla_config_path,
                                   parsed_args.zdu_config_file,
                                   parsed_args.zdu_strategy)
        config_dir = os.path.abspath(parsed_args.kolla_config_path)
        for path, text in sorted(hold_files(config_dir, conf).items()):
            _write(path, text)
            sys.stdout.write('wrote %s\n' % path)
        run_dir = self.run_dir(conf)
        lua = _write(os.path.join(run_dir, hold_config.LUA_FILE),
                     hold_config.LUA_SCRIPT)
        self.run_playbooks(parsed_args, [os.path.join(run_dir, PLAYBOOK)],
                           extra_vars={'zdu_hold_lua_src': lua,
                                       'zdu_hold_lua_file':
                                           hold_config.LUA_FILE})
        sys.stdout.write(
            'the hold holds requests at most %d s, at most %d at once; '
            'apply it with: kolla-ansible reconfigure -t loadbalancer\n'
            % (conf.buffer.max_hold_time, conf.buffer.max_held_requests))
        return 0
