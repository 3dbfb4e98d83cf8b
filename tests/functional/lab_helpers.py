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
"""Helpers for the functional tests that drive the real lab.

They run the installed commands (``kolla-zdu-lab``, ``kolla-ansible``,
``docker``) as a user would, and judge the lab by what it answers over
HTTP, not by what the lab code reports.
"""

import contextlib
import fcntl
import json
import os
import re
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request

LABEL = "org.openstack.kolla-zdu-lab"
SCRIPTS = os.path.dirname(os.path.abspath(sys.executable))
LOCK_FILE = "/tmp/kolla-zdu-lab-functional.lock"
UP_TIMEOUT = 2400
UPGRADE_TIMEOUT = 1200
DOWN_TIMEOUT = 600


def state_dir():
    """Return the state dir the tests use (KOLLA_ZDU_LAB_STATE_DIR)."""
    return os.environ.get("KOLLA_ZDU_LAB_STATE_DIR", "/var/lib/kolla-zdu-lab")


@contextlib.contextmanager
def lab_lock():
    """Hold the host-wide lock: one lab at a time, across test workers."""
    with open(LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def run(argv, timeout, env=None):
    """Run ``argv``; return (exit code, output), echoing timing to stderr."""
    start = time.monotonic()
    env = dict(os.environ, **(env or {}))
    env["PATH"] = SCRIPTS + os.pathsep + env.get("PATH", "")
    proc = subprocess.run(argv, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=timeout, env=env)
    output = proc.stdout.decode(errors="replace")
    sys.stderr.write("%s: exit %d after %.0f s\n"
                     % (" ".join(argv[:3]), proc.returncode,
                        time.monotonic() - start))
    return proc.returncode, output


def lab(*args, timeout=UP_TIMEOUT):
    """Run ``kolla-zdu-lab --state-dir STATE ARGS``."""
    return run([os.path.join(SCRIPTS, "kolla-zdu-lab"), "--state-dir",
                state_dir()] + list(args), timeout)


def lab_environment():
    """Return the variables ``kolla-zdu-lab env`` exports, as a dict."""
    code, output = lab("env", timeout=60)
    if code != 0:
        raise AssertionError("kolla-zdu-lab env failed:\n%s" % output)
    variables = {}
    for line in output.splitlines():
        words = shlex.split(line)
        if words[:1] == ["export"] and "=" in words[1]:
            key, value = words[1].split("=", 1)
            if key != "PATH":
                variables[key] = value
    return variables


def lab_status():
    """Return ``kolla-zdu-lab status --json`` as a dict."""
    code, output = lab("status", "--json", timeout=120)
    if code != 0:
        raise AssertionError("kolla-zdu-lab status failed:\n%s" % output)
    return json.loads(output)


def get_document(url, timeout=5):
    """GET ``url``; return (HTTP status, parsed JSON body or None)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None
    except (urllib.error.URLError, OSError, ValueError):
        return None, None


def node_url(address):
    """Return the zdu-demo URL of a node, bypassing HAProxy."""
    return "http://%s:9797/version" % address


def wait_until(predicate, timeout, interval=1.0):
    """Poll ``predicate`` until it returns true or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


def docker_lines(*args):
    """Return the non-empty output lines of ``docker ARGS``."""
    proc = subprocess.run(["docker"] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=120)
    return [line for line in proc.stdout.decode().splitlines() if line]


def lab_leftovers():
    """Return the containers, volumes and networks labelled as the lab's."""
    label = "label=%s" % LABEL
    return (docker_lines("ps", "-a", "--filter", label, "--format",
                         "container {{.Names}}")
            + docker_lines("volume", "ls", "--filter", label, "--format",
                           "volume {{.Name}}")
            + docker_lines("network", "ls", "--filter", label, "--format",
                           "network {{.Name}}"))


class HAProxyUnavailable(AssertionError):
    """A node's HAProxy did not answer.

    So it is while the loadbalancer handoff replaces its container.
    """


def haproxy_admin_states(node, backend):
    """Return {server: admin state bits} of ``backend`` in ``node``'s HAProxy.

    Read with the plugin's own agent on the node, as the plugin reads them;
    0 means ready, other values drain or maintenance.

    :raises HAProxyUnavailable: when the agent got no answer.
    """
    import inspect

    from kolla_zdu_plugin.haproxy import lb_agent

    request = lb_agent.encode({
        "container": "haproxy",
        "socket_path": "/var/lib/kolla/haproxy/haproxy.sock",
        "commands": ["show servers state %s" % backend]})
    proc = subprocess.run(
        ["docker", "exec", node, "python3", "-c",
         inspect.getsource(lb_agent), request],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    try:
        answer = json.loads(proc.stdout.decode())
    except ValueError:
        answer = {"failed": True, "msg": proc.stdout.decode()[-500:]}
    if answer.get("failed") or not answer.get("responses"):
        raise HAProxyUnavailable("HAProxy on %s did not answer: %s"
                                 % (node, answer.get("msg")))
    states = {}
    for line in answer["responses"][0].splitlines()[2:]:
        words = line.split()
        if len(words) > 6:
            states[words[3]] = int(words[6])
    return states


def container_ids(node):
    """Return {container name: id} of the kolla containers on a node."""
    lines = docker_lines("exec", node, "docker", "ps", "-a",
                         "--format", "{{.Names}} {{.ID}}")
    return dict(line.split() for line in lines if line.strip())


def container_images(node):
    """Return {container name: image reference} on a node, all states."""
    lines = docker_lines("exec", node, "docker", "ps", "-a",
                         "--format", "{{.Names}} {{.Image}}")
    return dict(line.split() for line in lines if line.strip())


def vip_holders(nodes, vip):
    """Return ``{node: [interfaces]}`` of the nodes that have ``vip``."""
    holders = {}
    for node in nodes:
        for line in docker_lines("exec", node, "ip", "-o", "addr", "show"):
            fields = line.split()
            if len(fields) > 3 and fields[3].split("/")[0] == vip:
                holders.setdefault(node, []).append(fields[1])
    return holders


def task_results(log, title):
    """Return ``{host: status}`` of the task ``title`` in a playbook log.

    The status is Ansible's word for each host's result: ok, changed,
    skipping, failed, fatal. The first task of that title counts.
    """
    lines = log.splitlines()
    header = "TASK [%s]" % title
    start = next((i for i, line in enumerate(lines)
                  if line.startswith(header)), None)
    if start is None:
        return {}
    results = {}
    for line in lines[start + 1:]:
        if line.startswith(("TASK [", "PLAY [", "RUNNING HANDLER [")):
            break
        match = re.match(r"(ok|changed|skipping|failed|fatal): \[([^\]]+)\]",
                         line)
        if match:
            results[match.group(2)] = match.group(1)
    return results
