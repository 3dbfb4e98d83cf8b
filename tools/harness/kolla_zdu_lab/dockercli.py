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
"""The host's docker engine, through its command-line client."""

import json
import logging

from kolla_zdu_lab import commands
from kolla_zdu_lab import errors

LOG = logging.getLogger(__name__)
DOCKER = "docker"


def docker(*args, input_bytes=None, timeout=600, check=True):
    """Run ``docker ARGS`` and return its stdout."""
    return commands.run([DOCKER] + list(args), input_bytes=input_bytes,
                        timeout=timeout, check=check)


def succeeds(*args, timeout=60):
    """Return True if ``docker ARGS`` exits 0."""
    try:
        docker(*args, timeout=timeout)
    except errors.LabError:
        return False
    return True


def ensure_daemon():
    """Raise LabError unless the docker daemon answers."""
    try:
        version = docker("version", "--format", "{{.Server.Version}}",
                         timeout=30).strip()
    except errors.LabError as error:
        raise errors.LabError(
            reason="the docker daemon does not answer (%s). Start it, e.g. "
                   "`dockerd >/var/log/dockerd.log 2>&1 &`"
                   % errors.reason_of(error))
    LOG.debug("docker daemon %s", version)
    return version


def inspect(kind, name):
    """Return ``docker KIND inspect NAME`` as a dict, or None if absent."""
    output = docker(kind, "inspect", name, check=False, timeout=60)
    try:
        documents = json.loads(output or "[]")
    except ValueError:
        return None
    return documents[0] if documents else None


def image_exists(reference):
    """Return True if the host has the image ``reference``."""
    return inspect("image", reference) is not None


def labelled(kind, label):
    """Return the names of containers, volumes or networks with ``label``."""
    if kind == "container":
        output = docker("ps", "-a", "--filter", "label=%s" % label,
                        "--format", "{{.Names}}")
    else:
        output = docker(kind, "ls", "--filter", "label=%s" % label,
                        "--format", "{{.Name}}")
    return [line for line in output.splitlines() if line]


def node_exec(node, *args, timeout=120, check=True):
    """Run a command inside the node container ``node``."""
    return docker("exec", node, *args, timeout=timeout, check=check)
