#!/usr/bin/env bash
# ansible-lint on the plugin's roles, with the plugin's and kolla-ansible's
# modules, action plugins and module_utils on Ansible's paths, so that
# every task's module is resolved and its arguments checked.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
KOLLA=$(python -c 'from kolla_zdu_plugin.servicemap import kolla_tree
print(kolla_tree.kolla_ansible_dir())')
export ANSIBLE_LIBRARY="$ROOT/ansible/library:$KOLLA/library"
export ANSIBLE_ACTION_PLUGINS="$ROOT/ansible/action_plugins:$KOLLA/action_plugins"
export ANSIBLE_MODULE_UTILS="$ROOT/ansible/module_utils:$KOLLA/module_utils"
exec ansible-lint --offline --strict ansible
