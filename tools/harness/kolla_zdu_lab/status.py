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
"""``kolla-zdu-lab status``: nodes, their containers, what each serves."""

from kolla_zdu_lab import demo_client
from kolla_zdu_lab import dockercli
from kolla_zdu_lab import errors
from kolla_zdu_lab import kolla_config
from kolla_zdu_lab import profile_services
from kolla_zdu_lab import settings as settings_mod


def node_url(lab_settings, name):
    """Return the demo service URL of node ``name``, bypassing HAProxy."""
    return "http://%s:%d/version" % (lab_settings.node_address(name),
                                     settings_mod.DEMO_PORT)


def serving(url):
    """Return ``version@host`` for ``url``, or why it does not answer."""
    try:
        document = demo_client.get_version(url)
    except errors.LabError as error:
        return "no answer (%s)" % errors.reason_of(error)
    return "%s@%s" % (document["version"], document["host"])


def node_serves(lab_settings, name):
    """Return what node ``name`` serves, bypassing HAProxy.

    For an OpenStack profile: which release of each service it runs.
    """
    services = profile_services.for_profile(lab_settings.profile)
    if services:
        return services.node_serves(name)
    return serving(node_url(lab_settings, name))


def vip_serves(lab_settings):
    """Return what the profile's service answers through the VIP."""
    services = profile_services.for_profile(lab_settings.profile)
    if services:
        return services.vip_serves(lab_settings)
    return serving(lab_settings.url)


def node_status(lab_settings, name):
    """Return a dict describing node ``name``."""
    info = dockercli.inspect("container", name)
    status = {"name": name, "address": lab_settings.node_address(name),
              "state": info["State"]["Status"] if info else "absent",
              "containers": [], "serves": None}
    if info and info["State"]["Running"]:
        output = dockercli.node_exec(
            name, "docker", "ps", "-a", "--format",
            "{{.Names}}\t{{.Image}}\t{{.Status}}", check=False)
        status["containers"] = [line.split("\t") for line in
                                output.splitlines() if line]
        status["serves"] = node_serves(lab_settings, name)
    return status


def lab_status(lab_settings):
    """Return a dict describing the whole lab."""
    registry = dockercli.inspect("container", settings_mod.REGISTRY_NAME)
    try:
        target = kolla_config.read_target(lab_settings)
    except errors.LabError:
        target = None
    return {"url": lab_settings.service_url,
            "profile": lab_settings.profile,
            "vip_serves": vip_serves(lab_settings),
            "target": target,
            "target_key": ("openstack_tag"
                           if target in kolla_config.releases()
                           else kolla_config.target_key(lab_settings)),
            "registry": registry["State"]["Status"] if registry else "absent",
            "nodes": [node_status(lab_settings, name)
                      for name in lab_settings.node_names()]}


def format_status(status):
    """Return ``status`` as text for a terminal."""
    lines = ["VIP %s: %s" % (status["url"], status["vip_serves"]),
             "target release (globals.yml %s): %s"
             % (status["target_key"], status["target"]),
             "registry: %s" % status["registry"]]
    for node in status["nodes"]:
        lines.append("%s (%s): %s%s" % (
            node["name"], node["address"], node["state"],
            ", serves %s" % node["serves"] if node["serves"] else ""))
        for name, image, state in node["containers"]:
            lines.append("    %-12s %-48s %s" % (name, image, state))
    return "\n".join(lines)
