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
"""The lab's nodes: containers with systemd as PID 1, their own dockerd
and sshd, reached by Ansible over SSH with a key the lab generates.

A node cannot be ``--privileged`` here (the machine lacks CAP_SYS_RESOURCE),
so it gets every other capability, no seccomp or AppArmor profile, and
writable /proc/sys (``systempaths=unconfined``) for kolla's sysctl tasks;
the node image's runc wrapper does the rest for privileged kolla containers.
"""

import json
import logging
import os
import socket
import time

from kolla_zdu_lab import commands
from kolla_zdu_lab import dockercli
from kolla_zdu_lab import errors
from kolla_zdu_lab import settings as settings_mod

LOG = logging.getLogger(__name__)
READY_TIMEOUT = 120
STOP_TIMEOUT = 60


def ensure_ssh_key(lab_settings):
    """Generate the lab's SSH key pair and the nodes' authorized_keys."""
    key = lab_settings.ssh_key
    if not os.path.isfile(key):
        os.makedirs(os.path.dirname(key), mode=0o700, exist_ok=True)
        commands.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "",
                      "-C", "kolla-zdu-lab", "-f", key])
    with open(key + ".pub") as public:
        public_key = public.read()
    authorized = os.path.join(os.path.dirname(key), "authorized_keys")
    with open(authorized, "w") as output:
        output.write(public_key)
    os.chmod(authorized, 0o600)
    return authorized


def daemon_config(lab_settings):
    """Return the nodes' /etc/docker/daemon.json as a dict.

    It is what ``kolla-ansible bootstrap-servers`` would write (no default
    bridge, iptables or IP forwarding; the registry as insecure), plus the
    runc wrapper as the default runtime.
    """
    return {
        "bridge": "none",
        "iptables": False,
        "ip-forward": False,
        "insecure-registries": [lab_settings.registry],
        "log-opts": {"max-file": "5", "max-size": "50m"},
        "runtimes": {"lab-runc": {"path": "/usr/local/sbin/lab-runc"}},
        "default-runtime": "lab-runc",
    }


def write_daemon_config(lab_settings):
    """Write the nodes' daemon.json into the state directory."""
    path = lab_settings.path("node", "daemon.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as output:
        json.dump(daemon_config(lab_settings), output, indent=2)
    return path


def ensure_node(lab_settings, name, image):
    """Start node ``name`` from ``image``, recreating it if it differs."""
    info = dockercli.inspect("container", name)
    if info is not None:
        labels = info["Config"].get("Labels") or {}
        if settings_mod.LABEL not in labels:
            raise errors.LabError(
                reason="a container named %s exists and is not the lab's; "
                       "remove it with `docker rm -f %s`" % (name, name))
        if info["Config"]["Image"] == image:
            if not info["State"]["Running"]:
                LOG.info("starting node %s", name)
                dockercli.docker("start", name)
            return
        LOG.info("recreating node %s from %s", name, image)
        stop_nodes([name])
        dockercli.docker("rm", "-f", name)
    LOG.info("starting node %s at %s", name, lab_settings.node_address(name))
    dockercli.docker(*node_run_args(lab_settings, name, image))


def node_run_args(lab_settings, name, image):
    """Return the ``docker run`` arguments of node ``name``."""
    label = "%s=%s" % (settings_mod.LABEL, lab_settings.state_dir)
    ssh_dir = os.path.dirname(lab_settings.ssh_key)
    return [
        "run", "-d", "--name", name, "--hostname", name,
        "--network", settings_mod.NETWORK_NAME,
        "--ip", lab_settings.node_address(name),
        "--label", label, "--label", "%s.node=%s" % (settings_mod.LABEL, name),
        "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE",
        "--security-opt", "seccomp=unconfined",
        "--security-opt", "apparmor=unconfined",
        "--security-opt", "systempaths=unconfined",
        "--cgroupns", "host", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
        "--tmpfs", "/run", "--tmpfs", "/run/lock",
        "--mount", "type=volume,source=%s,target=/var/lib/docker,"
                   "volume-label=%s" % (lab_settings.node_volume(name), label),
        "-v", "%s:/etc/docker/daemon.json:ro"
              % lab_settings.path("node", "daemon.json"),
        "-v", "%s:/root/.ssh/authorized_keys:ro"
              % os.path.join(ssh_dir, "authorized_keys"),
        "-v", "%s:/srv/zdu-demo-shared" % lab_settings.shared_dir,
    ] + peer_host_args(lab_settings, name) + [image]


def peer_host_args(lab_settings, name):
    """Return ``--add-host`` arguments naming every other node.

    kolla-ansible's ``bootstrap-servers`` writes every host into
    /etc/hosts, and RabbitMQ's nodes find each other only there (kolla's
    ``erl_inetrc`` looks names up in /etc/hosts, not in DNS). Docker manages
    a node's /etc/hosts, so the lab gives the entries at ``docker run``.
    """
    args = []
    for peer in lab_settings.node_names():
        if peer != name:
            args += ["--add-host",
                     "%s:%s" % (peer, lab_settings.node_address(peer))]
    return args


def wait_ready(lab_settings, names, timeout=READY_TIMEOUT):
    """Wait until every node runs dockerd and accepts SSH connections."""
    deadline = time.monotonic() + timeout
    for name in names:
        while not node_ready(lab_settings, name):
            if time.monotonic() > deadline:
                raise errors.LabError(
                    reason="node %s did not start dockerd and sshd within "
                           "%d s; see `docker exec %s systemctl --failed` "
                           "and `docker logs %s`"
                           % (name, timeout, name, name))
            time.sleep(1)


def node_ready(lab_settings, name):
    """Return True if node ``name`` runs dockerd and listens for SSH."""
    if not dockercli.succeeds("exec", name, "docker", "info",
                              "--format", "{{.ServerVersion}}"):
        return False
    try:
        with socket.create_connection(
                (lab_settings.node_address(name), 22), timeout=2):
            return True
    except OSError:
        return False


def reload_systemd(names):
    """Run ``systemctl daemon-reload`` on the nodes after a deploy.

    kolla_container writes a container's unit, reloads systemd, then enables
    the unit. Until the next reload, multi-user.target does not load that
    Wants= link, so systemd forgets the unit once it stops, and kolla's
    wait for the "dead" state never sees it: the first restart of the last
    container deployed on a host then takes kolla's full client_timeout
    (120 s) longer. A reload, which any later kolla_container change or a
    reboot also does, puts the unit back in view.
    """
    for name in names:
        dockercli.node_exec(name, "systemctl", "daemon-reload")


def stop_nodes(names):
    """Stop nodes through systemd, which stops their containers first."""
    if names:
        dockercli.docker("stop", "-t", str(STOP_TIMEOUT), *names,
                         timeout=STOP_TIMEOUT + 60, check=False)


def remove_nodes():
    """Stop and remove every node container the lab made."""
    names = [name for name in dockercli.labelled(
        "container", settings_mod.LABEL) if name != settings_mod.REGISTRY_NAME]
    LOG.info("stopping nodes %s", ", ".join(names) or "(none)")
    stop_nodes(names)
    for name in names:
        dockercli.docker("rm", "-f", "-v", name)
