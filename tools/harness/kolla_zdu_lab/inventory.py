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
"""The lab's kolla inventory and the ansible.cfg that finds kolla's roles.

The inventory is a directory: ``hosts`` lists the nodes in kolla's groups,
and ``group_vars/all`` links to kolla-ansible's own group_vars/all, which
Ansible loads only beside a playbook or an inventory. The lab's playbook is
not kolla's site.yml, so the inventory carries them.
"""

import os

from kolla_zdu_lab import paths

# kolla's multinode inventory groups; every lab node is in all of them.
NODE_GROUPS = ("control", "network", "loadbalancer")
# Groups kolla-ansible's multinode inventory has that the lab leaves empty.
EMPTY_GROUPS = ("compute", "monitoring", "storage")
# Per profile, service groups as kolla's multinode inventory nests them.
KEYSTONE_GROUPS = {"keystone": "control", "memcached": "control",
                   "common": "control", "kolla_toolbox": "common",
                   "cron": "common", "fluentd": "common",
                   "kolla_logs": "common"}
CHILD_GROUPS = {
    "demo": {"zdu-demo": "control"},
    "keystone": KEYSTONE_GROUPS,
    "heat": dict(KEYSTONE_GROUPS, rabbitmq="control", heat="control",
                 **{"heat-api": "heat", "heat-api-cfn": "heat",
                    "heat-engine": "heat"}),
}
# The OpenStack profiles' empty groups: kolla's group_vars name their hosts
# (the message queue's, the database's), and the lab runs neither there
# (the heat profile runs RabbitMQ).
PROFILE_EMPTY_GROUPS = {"demo": (), "keystone": ("rabbitmq", "mariadb"),
                        "heat": ("mariadb",)}


def render_hosts(lab_settings):
    """Return the text of the inventory's ``hosts`` file."""
    lines = ["# Written by kolla-zdu-lab; `kolla-zdu-lab up` rewrites it.",
             ""]
    for group in NODE_GROUPS:
        lines.append("[%s]" % group)
        lines += ["%s ansible_host=%s"
                  % (name, lab_settings.node_address(name))
                  for name in lab_settings.node_names()]
        lines.append("")
    for group in EMPTY_GROUPS + PROFILE_EMPTY_GROUPS[lab_settings.profile]:
        lines += ["[%s]" % group, ""]
    for group, parent in sorted(CHILD_GROUPS[lab_settings.profile].items()):
        lines += ["[%s:children]" % group, parent, ""]
    lines += ["[all:vars]",
              "ansible_user=root",
              "ansible_ssh_private_key_file=%s" % lab_settings.ssh_key,
              "ansible_python_interpreter=/usr/bin/python3",
              ""]
    return "\n".join(lines)


def write_inventory(lab_settings, kolla_dir=None, inventory_dir=None):
    """Write the inventory directory and return its path.

    :param kolla_dir: the kolla-ansible ``ansible`` directory whose
        group_vars the inventory carries; this Python's by default.
    :param inventory_dir: where; the lab's inventory by default.
    """
    inventory = inventory_dir or lab_settings.inventory_dir
    group_vars = os.path.join(inventory, "group_vars")
    os.makedirs(group_vars, exist_ok=True)
    with open(os.path.join(inventory, "hosts"), "w") as hosts:
        hosts.write(render_hosts(lab_settings))
    link = os.path.join(group_vars, "all")
    target = os.path.join(kolla_dir or paths.kolla_ansible_dir(),
                          "group_vars", "all")
    if os.path.islink(link) and os.readlink(link) != target:
        os.remove(link)
    if not os.path.islink(link):
        os.symlink(target, link)
    return inventory


def roles_path(kolla_dir=None):
    """Return ANSIBLE_ROLES_PATH: the lab's roles, then kolla-ansible's."""
    return ":".join([os.path.join(paths.lab_ansible_dir(), "roles"),
                     os.path.join(kolla_dir or paths.kolla_ansible_dir(),
                                  "roles")])


def render_ansible_cfg(lab_settings, kolla_dir=None):
    """Return the text of the lab's ansible.cfg.

    :param kolla_dir: the kolla-ansible ``ansible`` directory whose roles,
        modules and filters it names; this Python's by default.
    """
    kolla = kolla_dir or paths.kolla_ansible_dir()
    return "\n".join([
        "# Written by kolla-zdu-lab: kolla-ansible's roles, modules and",
        "# filters for the lab's playbook, and SSH to the lab nodes.",
        "[defaults]",
        "roles_path = %s" % roles_path(kolla),
        "library = %s" % os.path.join(kolla, "library"),
        "module_utils = %s" % os.path.join(kolla, "module_utils"),
        "action_plugins = %s" % os.path.join(kolla, "action_plugins"),
        "filter_plugins = %s" % os.path.join(kolla, "filter_plugins"),
        "host_key_checking = False",
        "forks = 20",
        "retry_files_enabled = False",
        "# The time of every task in the log, and the slowest at its end.",
        "callbacks_enabled = ansible.posix.profile_tasks",
        "",
        "[ssh_connection]",
        "pipelining = True",
        "control_path_dir = %s" % lab_settings.path("ssh", "cp"),
        "ssh_args = -o ControlMaster=auto -o ControlPersist=300s "
        "-o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no "
        "-o LogLevel=ERROR",
        "",
    ])


def write_ansible_cfg(lab_settings):
    """Write the lab's ansible.cfg into its config dir."""
    os.makedirs(lab_settings.config_dir, exist_ok=True)
    with open(lab_settings.ansible_cfg, "w") as cfg:
        cfg.write(render_ansible_cfg(lab_settings))
    return lab_settings.ansible_cfg
