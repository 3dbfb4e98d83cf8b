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

from kolla_zdu_lab import buffer_hold
from kolla_zdu_lab import commands
from kolla_zdu_lab import errors
from kolla_zdu_lab import paths
from kolla_zdu_lab import registry
from kolla_zdu_lab import settings as settings_mod

# Per profile: the globals key that names the release of the service the
# lab upgrades, and the releases the lab has images of.
TARGETS = {"demo": ("zdu_demo_tag", settings_mod.DEMO_VERSIONS),
           "keystone": ("keystone_tag", settings_mod.KEYSTONE_VERSIONS),
           "heat": ("heat_tag", settings_mod.HEAT_VERSIONS)}
GLOBALS_HEADER = """---
# kolla-ansible globals of the kolla-zdu-lab deployment. `kolla-zdu-lab up`
# sets the keys it owns; `kolla-zdu-lab target` sets openstack_tag, the
# release every image comes from, or zdu_demo_tag (demo profile),
# keystone_tag (keystone profile) or heat_tag (heat profile) alone, for the
# next `kolla-ansible deploy|upgrade`.
"""
# Every image follows openstack_tag, as in kolla-ansible's defaults.
RELEASE_TAG = "{{ openstack_tag }}"
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

# The probe keeps a 5 s request in flight across every restart; kolla's
# openstack_service_workers gives zdu-demo two uWSGI workers per node on
# this 2-core machine, behind which the probe's other requests would queue.
zdu_demo_api_workers: 4
"""
DATABASE_OVERRIDES = """
# The %s profile's database is a MariaDB server the lab runs in a
# container beside the nodes (Debian's mariadb-server), not kolla's Galera
# cluster: kolla-ansible's supported external-database set-up, with the
# databases and their users created by the lab beforehand.
use_preconfigured_databases: true
"""
PROFILE_OVERRIDES = {
    "keystone": DATABASE_OVERRIDES % "keystone" + """
# Keystone needs no message queue; the lab runs no RabbitMQ.
enable_rabbitmq: false
""",
    "heat": DATABASE_OVERRIDES % "heat" + """
# kolla's rabbitmq image of 2026.1 carries RabbitMQ 4.2 from RabbitMQ's own
# repositories, which this machine cannot reach; the lab's rabbitmq image
# (and kolla_toolbox, for `rabbitmq-upgrade drain`) carries Debian trixie's
# 4.0.5 in both releases, so the role's version check sees no change. Its
# settings stay kolla's: quorum queues, stream fanout.

# A new RabbitMQ 4.0.5 node queries its peers from a temporary Erlang node
# before it boots; kolla starts the first node alone and waits 60 s for it,
# and on this machine's two cores ten queries of peers that do not run yet
# take minutes. Two are enough to find none and boot alone; the later nodes
# find the first and join it.
rabbitmq_extra_config:
  cluster_formation.discovery_retry_limit: 2
  cluster_formation.discovery_retry_interval: 1000
""",
}
# kolla-ansible merges {{ node_custom_config }}/keystone.conf into the
# keystone.conf it renders.
KEYSTONE_CUSTOM_CONF = """# Written by kolla-zdu-lab.
[identity]
# Every probe request is a password authentication, and the whole lab
# shares two cores: bcrypt at keystone's default 12 rounds costs about
# 0.25 s of CPU per check, so the lab hashes new passwords with 4 rounds,
# bcrypt's minimum (a production cloud keeps the default).
password_hash_rounds = 4

[cache]
# A memcached client of oslo.cache treats a restarted server as dead for
# memcache_dead_retry seconds (300 by default), so kolla-zdu-plugin waits
# that long after each memcached host ([serial_roles] settle_time, 360 by
# default). The lab shortens both, to keep its test runs short: 10 s here
# and 15 s in zdu.conf.
memcache_dead_retry = 10
"""
# kolla-zdu-plugin's zdu.conf of the keystone profile: see [cache] above.
KEYSTONE_ZDU_CONF = """# Written by kolla-zdu-lab.
[serial_roles]
# keystone's [cache] memcache_dead_retry is 10 s on the lab (see
# config/keystone.conf), so each memcached host waits 15 s, not 360.
settle_time = 15
"""
# kolla-ansible merges {{ node_custom_config }}/heat.conf into every heat
# service's heat.conf.
HEAT_CUSTOM_CONF = """# Written by kolla-zdu-lab.
[keystone_authtoken]
# As keystone's [cache] memcache_dead_retry (see config/keystone.conf):
# keystonemiddleware's memcached pool treats a restarted server as dead
# for memcache_pool_dead_retry seconds (300 by default), and the lab
# shortens it to 10 s, to keep kolla-zdu-plugin's wait after each memcached
# host ([serial_roles] settle_time) at 15 s.
memcache_pool_dead_retry = 10

[cache]
# oslo.cache's memcache_pool backend alike.
memcache_dead_retry = 10

[ec2authtoken]
# kolla's heat.conf gives heat-api-cfn's EC2 signature check only auth_uri,
# so heat-api-cfn calls keystone's /v3/ec2tokens without a token, which
# keystone refuses (401, and heat-api-cfn answers 403 AccessDenied). The
# lab gives the check heat's service user, as [keystone_authtoken] has it.
auth_type = password
auth_url = {{ keystone_internal_url }}
username = {{ heat_keystone_user }}
password = {{ heat_keystone_password }}
project_name = service
user_domain_name = {{ default_user_domain_name }}
project_domain_name = {{ default_project_domain_name }}
interface = internal
"""
HEAT_ZDU_CONF = """# Written by kolla-zdu-lab.
[serial_roles]
# keystone's [cache] memcache_dead_retry and heat's memcached dead times
# are 10 s on the lab (see config/keystone.conf and config/heat.conf), so
# each memcached host waits 15 s, not 360.
settle_time = 15
"""
# kolla-ansible copies {{ node_custom_config }}/heat/policy.yaml to every
# heat service. heat's rule for the CloudFormation API's ListStacks is
# "role:reader and project_id:%(project_id)s", and heat-api-cfn checks it
# against an empty target, so no user passes it (403 AccessDenied); the
# lab lets project readers list their stacks, which the rule means.
HEAT_POLICY = """# Written by kolla-zdu-lab.
"cloudformation:ListStacks": "role:reader"
"""
# Per OpenStack profile: its custom service config files, and its zdu.conf.
PROFILE_CUSTOM_CONFIG = {
    "keystone": {"keystone.conf": KEYSTONE_CUSTOM_CONF},
    "heat": {"keystone.conf": KEYSTONE_CUSTOM_CONF,
             "heat.conf": HEAT_CUSTOM_CONF,
             os.path.join("heat", "policy.yaml"): HEAT_POLICY},
}
PROFILE_ZDU_CONF = {"keystone": KEYSTONE_ZDU_CONF, "heat": HEAT_ZDU_CONF}


# kolla's HAProxy template, which kolla-ansible 22 and 23 share, and the
# copy of it the lab gives kolla as {{ node_custom_config }}/haproxy/
# haproxy_main.cfg (kolla's loadbalancer role takes it with
# with_first_found). A soft-stopped HAProxy closes idle keep-alive
# connections at once, which races a client reusing one at that instant;
# with idle-close-on-response it closes each after its next response
# instead (see doc/source/reference/loadbalancer-upgrade.rst).
HAPROXY_TEMPLATE = os.path.join("roles", "loadbalancer", "templates",
                                "haproxy", "haproxy_main.cfg.j2")
HAPROXY_CUSTOM = os.path.join("haproxy", "haproxy_main.cfg")
IDLE_CLOSE = "    option idle-close-on-response\n"


def haproxy_main_template(kolla_dir=None):
    """Return kolla's HAProxy template with idle-close-on-response added.

    :raises: LabError when the template has no ``defaults`` section.
    """
    path = os.path.join(kolla_dir or paths.kolla_ansible_dir(),
                        HAPROXY_TEMPLATE)
    with open(path) as stream:
        lines = stream.readlines()
    for index, line in enumerate(lines):
        if line.strip() == "defaults":
            return "".join(lines[:index + 1] + [IDLE_CLOSE]
                           + lines[index + 1:])
    raise errors.LabError(reason="%s has no defaults section for %s"
                          % (path, IDLE_CLOSE.strip()))


def managed_globals(lab_settings, builder):
    """Return the globals ``up`` owns, as a dict."""
    values = _common_globals(lab_settings, builder)
    if lab_settings.profile in settings_mod.KOLLA_SITE_PROFILES:
        values.update(_keystone_globals(lab_settings, builder))
    if lab_settings.profile == "heat":
        values.update(_heat_globals(lab_settings, builder))
    return values


def _heat_globals(lab_settings, builder):
    return {
        "enable_heat": True,
        "enable_rabbitmq": True,
        "rabbitmq_tag": RELEASE_TAG,
    }


def _keystone_globals(lab_settings, builder):
    return {
        "enable_zdu_demo": False,
        "enable_keystone": True,
        "enable_memcached": True,
        "database_address": lab_settings.database_address,
        "memcached_tag": RELEASE_TAG,
        "kolla_toolbox_tag": RELEASE_TAG,
        "cron_tag": RELEASE_TAG,
        # What kolla-zdu-plugin asks of an operator once: the HAProxy
        # runtime socket at admin level, to drain and restore servers.
        "haproxy_socket_level_admin": True,
    }


def _common_globals(lab_settings, builder):
    return {
        "kolla_base_distro": "debian",
        "kolla_container_engine": "docker",
        "network_interface": "eth0",
        "kolla_internal_vip_address": lab_settings.vip_address,
        "docker_registry": lab_settings.registry,
        "docker_registry_insecure": True,
        "docker_namespace": registry.KOLLA_NAMESPACE,
        "haproxy_tag": RELEASE_TAG,
        "keepalived_tag": RELEASE_TAG,
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
        raise errors.LabError(
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
        raise errors.LabError(
            reason="%s in %s must be a list of lines, not %r"
                   % (buffer_hold.BACKEND_EXTRA_KEY, path, lines))
    return lines


def target_key(lab_settings):
    """Return the globals key naming the release the lab upgrades to."""
    return TARGETS[lab_settings.profile][0]


def versions(lab_settings):
    """Return the releases the lab has images of, oldest first."""
    return TARGETS[lab_settings.profile][1]


def write_globals(lab_settings, builder):
    """Write globals.yml, globals.d/zdu-lab.yml and custom config for ``up``.

    The demo profile's globals carry the buffer strategy's HAProxy hold; the
    OpenStack profiles run kolla-ansible's own site.yml, which does not
    install the hold's Lua script, so they have none.
    """
    os.makedirs(os.path.join(lab_settings.config_dir, "globals.d"),
                exist_ok=True)
    path = globals_path(lab_settings)
    values = managed_globals(lab_settings, builder)
    overrides = LAB_OVERRIDES
    write_custom_config(lab_settings, HAPROXY_CUSTOM,
                        haproxy_main_template())
    if lab_settings.profile in settings_mod.KOLLA_SITE_PROFILES:
        overrides += PROFILE_OVERRIDES[lab_settings.profile]
        for name, text in PROFILE_CUSTOM_CONFIG[lab_settings.profile].items():
            write_custom_config(lab_settings, name, text)
        with open(os.path.join(lab_settings.config_dir, "zdu.conf"),
                  "w") as output:
            output.write(PROFILE_ZDU_CONF[lab_settings.profile])
    else:
        values.update(buffer_hold.globals_values(backend_extra_lines(path)))
    if not os.path.exists(path):
        values["openstack_tag"] = releases()[0]
        values[target_key(lab_settings)] = RELEASE_TAG
    set_globals(path, values)
    with open(os.path.join(lab_settings.config_dir, "globals.d",
                           "zdu-lab.yml"), "w") as output:
        output.write(overrides)


def write_custom_config(lab_settings, name, text):
    """Write ``{{ node_custom_config }}/name`` (``<config dir>/config``)."""
    path = os.path.join(lab_settings.config_dir, "config", name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as output:
        output.write(text)


def releases():
    """Return the lab's OpenStack releases, oldest first."""
    return tuple(settings_mod.RELEASES)


def set_target(lab_settings, version):
    """Make ``version`` what the next kolla-ansible run installs.

    A release (such as 2026.2) moves every image; a version of the
    profile's service (such as v2) moves that service alone.
    """
    if version in releases():
        values = {"openstack_tag": version,
                  target_key(lab_settings): RELEASE_TAG}
    elif version in versions(lab_settings):
        values = {target_key(lab_settings): version}
    else:
        raise errors.LabError(
            reason="the %s profile has no release or version %s; choose a "
                   "release (%s) or a version of its service (%s)"
                   % (lab_settings.profile, version, ", ".join(releases()),
                      ", ".join(versions(lab_settings))))
    read_globals(lab_settings)
    set_globals(globals_path(lab_settings), values)


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
    """Return what globals.yml asks for.

    That is a release, or a version of the profile's service when
    globals.yml sets it apart from the release.
    """
    values = read_globals(lab_settings)
    target = values.get(target_key(lab_settings))
    if target in (None, RELEASE_TAG):
        return values.get("openstack_tag")
    return target


def service_version(lab_settings, target):
    """Return the version of the profile's service in ``target``.

    :param target: a release, or already a version of the service.
    """
    return settings_mod.RELEASES.get(target, {}).get(lab_settings.profile,
                                                     target)


def target_version(lab_settings):
    """Return the version of the profile's service globals.yml asks for."""
    return service_version(lab_settings, read_target(lab_settings))


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
