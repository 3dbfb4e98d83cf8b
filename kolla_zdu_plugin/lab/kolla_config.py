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
"""The lab's kolla config dir: globals.yml, globals.d and passwords.yml.

``globals.yml`` holds what an operator would write for this deployment,
the buffer strategy's HAProxy hold included. ``up`` sets the keys it owns
and leaves every other line alone, so an operator's edits survive;
``target`` changes only ``zdu_demo_tag``.
``globals.d/zdu-lab.yml`` holds the lab's deviations from a production
deployment, each with the reason.
"""

import json
import os
import re
import shutil

import yaml

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.lab import buffer_hold
from kolla_zdu_plugin.lab import commands
from kolla_zdu_plugin.lab import paths
from kolla_zdu_plugin.lab import registry
from kolla_zdu_plugin.lab import settings as settings_mod

TARGET_KEY = "zdu_demo_tag"
GLOBALS_HEADER = """---
# kolla-ansible globals of the kolla-zdu-lab deployment. `kolla-zdu-lab up`
# sets the keys it owns; `kolla-zdu-lab target` sets zdu_demo_tag, the
# release the next `kolla-ansible deploy|upgrade` moves zdu-demo to.
"""
# A key's value goes on until the next line that is not indented and does
# not start a block sequence item.
VALUE_CONTINUATION = re.compile(r"^(\s|-(\s|$))")
LAB_OVERRIDES = """---
# Written by kolla-zdu-lab: where the lab departs from a production
# deployment, and why.

# The lab machine's kernel has no loadable-module support (there is no
# /proc/modules), so community.general.modprobe fails for ip_vs, which the
# loadbalancer role loads for keepalived. keepalived runs VRRP only, which
# needs no ip_vs, so the lab gives the module-load role an empty list.
modules: []

# The lab machine's hard open-file limit is 20000 and cannot be raised (no
# CAP_SYS_RESOURCE), so the nodes' runc lowers kolla's nofile ulimit of
# 1048576 to it. HAProxy needs about two descriptors per connection and
# refuses to start when its global maxconn (kolla: 40000) does not fit.
haproxy_max_connections: 8000
"""


def managed_globals(lab_settings, builder):
    """Return the globals ``up`` owns, as a dict."""
    return {
        "kolla_base_distro": "debian",
        "kolla_container_engine": "docker",
        "network_interface": "eth0",
        "kolla_internal_vip_address": lab_settings.vip_address,
        "docker_registry": lab_settings.registry,
        "docker_registry_insecure": True,
        "docker_namespace": registry.KOLLA_NAMESPACE,
        "haproxy_tag": registry.kolla_tag(builder, "haproxy"),
        "keepalived_tag": registry.kolla_tag(builder, "keepalived"),
        "enable_openstack_core": False,
        "enable_haproxy": True,
        "enable_keepalived": True,
        "enable_mariadb": False,
        "enable_memcached": False,
        "enable_fluentd": False,
        "enable_zdu_demo": True,
        "zdu_demo_port": settings_mod.DEMO_PORT,
    }


def globals_path(lab_settings):
    """Return the path of the lab's globals.yml."""
    return os.path.join(lab_settings.config_dir, "globals.yml")


def format_global(key, value):
    """Return the lines of ``key: value``; a list as a block sequence."""
    if isinstance(value, list) and value:
        return ["%s:" % key] + ["  - %s" % json.dumps(item) for item in value]
    return ["%s: %s" % (key, json.dumps(value))]


def value_end(lines, index):
    """Return the index after the value of the key on ``lines[index]``."""
    end = index + 1
    while end < len(lines) and VALUE_CONTINUATION.match(lines[end]):
        end += 1
    return end


def set_globals(path, values):
    """Set top-level keys in a globals file.

    Lines of other keys, and comments, stay as they are. A key's old value
    is replaced, with the lines it continues on; missing keys are appended.
    """
    try:
        with open(path) as source:
            lines = source.read().splitlines()
    except FileNotFoundError:
        lines = GLOBALS_HEADER.splitlines()
    for key, value in values.items():
        pattern = re.compile(r"^%s\s*:" % re.escape(key))
        matches = [index for index, text in enumerate(lines)
                   if pattern.match(text)]
        if matches:
            start = matches[-1]
            lines[start:value_end(lines, start)] = format_global(key, value)
        else:
            lines.extend(format_global(key, value))
    with open(path + ".tmp", "w") as output:
        output.write("\n".join(lines) + "\n")
    os.replace(path + ".tmp", path)


def read_globals(lab_settings):
    """Return the lab's globals.yml as a dict."""
    try:
        with open(globals_path(lab_settings)) as source:
            return yaml.safe_load(source) or {}
    except FileNotFoundError:
        raise exceptions.LabError(
            reason="%s is missing; run `kolla-zdu-lab up`"
                   % globals_path(lab_settings))


def backend_extra_lines(path):
    """Return the ``haproxy_backend_http_extra`` lines of a globals file."""
    try:
        with open(path) as source:
            lines = (yaml.safe_load(source) or {}).get(
                buffer_hold.BACKEND_EXTRA_KEY) or []
    except FileNotFoundError:
        return []
    if not isinstance(lines, list):
        raise exceptions.LabError(
            reason="%s in %s must be a list of lines, not %r"
                   % (buffer_hold.BACKEND_EXTRA_KEY, path, lines))
    return lines


def write_globals(lab_settings, builder):
    """Write globals.yml and globals.d/zdu-lab.yml for ``up``."""
    os.makedirs(os.path.join(lab_settings.config_dir, "globals.d"),
                exist_ok=True)
    path = globals_path(lab_settings)
    values = managed_globals(lab_settings, builder)
    values.update(buffer_hold.globals_values(backend_extra_lines(path)))
    if not os.path.exists(path):
        values[TARGET_KEY] = settings_mod.DEMO_VERSIONS[0]
    set_globals(path, values)
    with open(os.path.join(lab_settings.config_dir, "globals.d",
                           "zdu-lab.yml"), "w") as overrides:
        overrides.write(LAB_OVERRIDES)


def set_target(lab_settings, version):
    """Make ``version`` the zdu-demo release of the next kolla-ansible run."""
    if version not in settings_mod.DEMO_VERSIONS:
        raise exceptions.LabError(
            reason="unknown zdu-demo version %s; choose one of %s"
                   % (version, ", ".join(settings_mod.DEMO_VERSIONS)))
    read_globals(lab_settings)
    set_globals(globals_path(lab_settings), {TARGET_KEY: version})


# The file in the lab's shared directory that plays the database schema.
SCHEMA_MARKER = "schema.json"


def reset_schema(lab_settings):
    """Remove zdu-demo's shared schema marker; return its path if it was."""
    marker = os.path.join(lab_settings.shared_dir, SCHEMA_MARKER)
    if not os.path.exists(marker):
        return None
    os.remove(marker)
    return marker


def set_start(lab_settings, version="v1"):
    """Make ``version`` the target with no schema or start-up quirk."""
    set_target(lab_settings, version)
    set_globals(globals_path(lab_settings),
                {"zdu_demo_exclusive_schema": False,
                 "zdu_demo_startup_delay": 0})
    reset_schema(lab_settings)


def read_target(lab_settings):
    """Return the zdu-demo release globals.yml asks for."""
    return read_globals(lab_settings).get(TARGET_KEY)


def ensure_passwords(lab_settings):
    """Write passwords.yml with kolla-genpwd, unless it exists."""
    path = os.path.join(lab_settings.config_dir, "passwords.yml")
    if os.path.isfile(path):
        return path
    example = os.path.join(paths.kolla_ansible_share_dir(), "etc_examples",
                           "kolla", "passwords.yml")
    shutil.copy(example, path + ".tmp")
    commands.run([os.path.join(paths.venv_bin_dir(), "kolla-genpwd"),
                  "-p", path + ".tmp"], timeout=300)
    os.replace(path + ".tmp", path)
    os.chmod(path, 0o600)
    return path
