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
"""The run directory a generated playbook runs from.

Ansible finds roles, modules, action and filter plugins and ``group_vars``
next to a playbook. The generated playbook uses kolla-ansible's roles,
modules and variables and the plugin's own actions, so its directory gets
links to all of them; the site playbook it imports keeps its own
directory's.
"""

import os

from kolla_zdu_plugin import exceptions

PLUGIN_DIRS = ('library', 'action_plugins', 'filter_plugins', 'module_utils')


def plugin_ansible_dir():
    """Return the plugin's ``ansible`` directory, installed or in a tree."""
    import sys
    installed = os.path.join(sys.prefix, 'share', 'kolla-zdu-plugin',
                             'ansible')
    if os.path.isdir(installed):
        return installed
    source = os.path.join(os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))), 'ansible')
    if os.path.isdir(source):
        return source
    raise exceptions.ConfigError(
        reason='the plugin\'s Ansible files are missing (looked in %s and '
               '%s); reinstall kolla-zdu-plugin' % (installed, source))


def _link_entries(target_dir, source_dirs):
    """Link every entry of ``source_dirs`` into ``target_dir``.

    An entry of an earlier source wins over one of a later source.
    """
    os.makedirs(target_dir, exist_ok=True)
    for source in source_dirs:
        if not os.path.isdir(source):
            continue
        for name in sorted(os.listdir(source)):
            link = os.path.join(target_dir, name)
            if not os.path.lexists(link):
                os.symlink(os.path.join(source, name), link)


def prepare(run_dir, kolla_dir, site_playbook):
    """Lay out ``run_dir`` so a playbook there sees what it needs.

    :param kolla_dir: kolla-ansible's ``ansible`` directory.
    :param site_playbook: the playbook the run imports (kolla's site.yml or
        the operator's ``-p`` playbook).
    """
    ours = plugin_ansible_dir()
    site_dir = os.path.dirname(os.path.abspath(site_playbook))
    for name in PLUGIN_DIRS:
        _link_entries(os.path.join(run_dir, name),
                      [os.path.join(ours, name), os.path.join(site_dir, name),
                       os.path.join(kolla_dir, name)])
    _link_entries(os.path.join(run_dir, 'roles'),
                  [os.path.join(ours, 'roles'),
                   os.path.join(site_dir, 'roles'),
                   os.path.join(kolla_dir, 'roles')])
    for source in (site_dir, kolla_dir):
        group_vars = os.path.join(source, 'group_vars')
        if os.path.isdir(group_vars):
            os.symlink(group_vars, os.path.join(run_dir, 'group_vars'))
            break
