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
"""The lab registry: Debian's docker-registry in a container on the lab
network. The host pushes to it through a loopback port; the nodes pull from
its lab address, as kolla-ansible's ``docker_registry``."""

import json
import logging
import os
import time
import urllib.error
import urllib.request

from kolla_zdu_lab import dockercli
from kolla_zdu_lab import errors
from kolla_zdu_lab import image_recipes
from kolla_zdu_lab import settings as settings_mod

LOG = logging.getLogger(__name__)
KOLLA_NAMESPACE = "kolla"
READY_TIMEOUT = 30


def ensure_registry(lab_settings, builder):
    """Run the registry container from the current registry image."""
    name = settings_mod.REGISTRY_NAME
    image = builder.ensure("registry")
    info = dockercli.inspect("container", name)
    if info and info["State"]["Running"] and info["Config"]["Image"] == image:
        return
    if info:
        dockercli.docker("rm", "-f", name)
    LOG.info("starting registry %s at %s", name, lab_settings.registry)
    label = "%s=%s" % (settings_mod.LABEL, lab_settings.state_dir)
    if dockercli.inspect("volume", settings_mod.REGISTRY_VOLUME) is None:
        dockercli.docker("volume", "create", "--label", label,
                         settings_mod.REGISTRY_VOLUME)
        _write_pushed(lab_settings, {})
    try:
        dockercli.docker(
            "run", "-d", "--name", name, "--hostname", "registry",
            "--network", settings_mod.NETWORK_NAME,
            "--ip", lab_settings.registry_address,
            "-p", "%s:5000" % lab_settings.host_registry,
            "-v", "%s:/var/lib/docker-registry" % settings_mod.REGISTRY_VOLUME,
            "--label", label, image)
    except errors.LabError as error:
        raise errors.LabError(
            reason="cannot start the registry (%s). If port %d is taken, "
                   "pass another with --registry-port"
                   % (errors.reason_of(error), lab_settings.registry_port))
    wait_ready(lab_settings)


def wait_ready(lab_settings, timeout=READY_TIMEOUT):
    """Wait until the registry answers its API on the host port."""
    url = "http://%s/v2/" % lab_settings.host_registry
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError) as error:
            if time.monotonic() > deadline:
                raise errors.LabError(
                    reason="the registry did not answer %s within %d s (%s); "
                           "see `docker logs %s`"
                           % (url, timeout, error, settings_mod.REGISTRY_NAME))
            time.sleep(0.5)


def _registry_json(lab_settings, path):
    url = "http://%s%s" % (lab_settings.host_registry, path)
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return json.load(answer)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise errors.LabError(
            reason="the registry did not list %s (%s); see `docker logs %s`"
                   % (url, errors.reason_of(error),
                      settings_mod.REGISTRY_NAME))


def references_tagged(lab_settings, tag):
    """Return the registry's images tagged ``tag``, as the nodes name them."""
    catalog = _registry_json(lab_settings, "/v2/_catalog?n=1000")
    found = []
    for repository in sorted(catalog.get("repositories") or ()):
        tags = _registry_json(lab_settings,
                              "/v2/%s/tags/list" % repository).get("tags")
        if tag in (tags or ()):
            found.append("%s/%s:%s" % (lab_settings.registry, repository,
                                       tag))
    return found


def kolla_repository(name):
    """Return the registry repository of lab image ``name``."""
    return "%s/%s" % (KOLLA_NAMESPACE, image_recipes.KOLLA_IMAGES[name])


def kolla_tag(builder, name):
    """Return the registry tag of lab image ``name``."""
    return image_recipes.RECIPES[name].registry_tag or builder.tag(name)


def node_reference(lab_settings, builder, name):
    """Return lab image ``name`` as the nodes pull it from the registry."""
    return "%s/%s:%s" % (lab_settings.registry, kolla_repository(name),
                         kolla_tag(builder, name))


def push(lab_settings, builder, name):
    """Push lab image ``name`` unless the registry has that very image.

    :returns: True if it pushed.
    """
    image_id = dockercli.inspect("image", builder.ensure(name))["Id"]
    target = "%s/%s:%s" % (lab_settings.host_registry,
                           kolla_repository(name), kolla_tag(builder, name))
    pushed = _read_pushed(lab_settings)
    if pushed.get(target) == image_id:
        return False
    LOG.info("pushing %s to the lab registry", target)
    dockercli.docker("tag", builder.reference(name), target)
    dockercli.docker("push", "--quiet", target, timeout=900)
    pushed[target] = image_id
    _write_pushed(lab_settings, pushed)
    return True


def untag_pushed(lab_settings):
    """Remove the host's registry tags; the lab's own tags keep the images."""
    output = dockercli.docker(
        "images", "--format", "{{.Repository}}:{{.Tag}}", "--filter",
        "reference=%s/%s/*" % (lab_settings.host_registry, KOLLA_NAMESPACE))
    for reference in output.split():
        dockercli.docker("rmi", reference, check=False)


def _pushed_file(lab_settings):
    return lab_settings.path("registry-pushed.json")


def _read_pushed(lab_settings):
    try:
        with open(_pushed_file(lab_settings)) as pushed:
            return json.load(pushed)
    except FileNotFoundError:
        return {}


def _write_pushed(lab_settings, pushed):
    with open(_pushed_file(lab_settings) + ".tmp", "w") as output:
        json.dump(pushed, output, indent=2, sort_keys=True)
    os.replace(_pushed_file(lab_settings) + ".tmp",
               _pushed_file(lab_settings))
