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
"""The lab's stand-in for a deploy host: kolla-ansible at a small CPU weight.

In production kolla-ansible runs on a deploy host of its own. In the lab
the Ansible controller, its forks and ssh clients share the lab host's CPU
with the nodes, so under load they would take CPU from the services under
test. The lab runs them in a CPU cgroup of a quarter of the default weight
(and, where that cannot be made, at the lowest nice value). Where the nodes
want all the CPU, that leaves Ansible about a fifth of it: the services
keep most of the machine, and an upgrade still moves on. At the lowest
weight it got the CPU the nodes left, which a loaded lab on two cores
left so little of that one heat upgrade outlasted the lab's 1,800 s
limit. What Ansible runs on the nodes keeps the nodes' priority, as in
production. A process's cgroup is inherited by all it starts, whatever
session it makes; a nice value counts only within a session under the
kernel's autogroup scheduling, and Ansible's workers start sessions of
their own.
"""

import logging
import os

LOG = logging.getLogger(__name__)

CGROUP = 'kolla-zdu-lab-deploy-host'
NICENESS = 19
CGROUP_ROOT = '/sys/fs/cgroup'
# cgroup v1's cpu.shares and v2's cpu.weight at a quarter of their
# defaults (1024 and 100), which docker's containers keep.
_V1_SHARES = 256
_V2_WEIGHT = 25


def _write(path, value):
    with open(path, 'w') as stream:
        stream.write(str(value))


def _v1_dir(root):
    for name in ('cpu', 'cpu,cpuacct'):
        path = os.path.join(root, name)
        if os.path.isfile(os.path.join(path, 'cpu.shares')):
            return path
    return None


def make_cgroup(root=CGROUP_ROOT):
    """Create the deploy host's cgroup; return its directory, or None.

    :returns: None when neither cgroup v1's cpu controller nor cgroup v2
        with the cpu controller is writable here.
    """
    v1 = _v1_dir(root)
    try:
        if v1:
            path = os.path.join(v1, CGROUP)
            os.makedirs(path, exist_ok=True)
            _write(os.path.join(path, 'cpu.shares'), _V1_SHARES)
            return path
        if os.path.isfile(os.path.join(root, 'cgroup.controllers')):
            _write(os.path.join(root, 'cgroup.subtree_control'), '+cpu')
            path = os.path.join(root, CGROUP)
            os.makedirs(path, exist_ok=True)
            _write(os.path.join(path, 'cpu.weight'), _V2_WEIGHT)
            return path
    except OSError as error:
        LOG.warning("cannot make the CPU cgroup of the lab's kolla-ansible "
                    "in %s (%s); it runs at nice %d instead",
                    root, error, NICENESS)
    return None


def remove_cgroup(root=CGROUP_ROOT):
    """Remove the deploy host's cgroup, if it is there and empty."""
    for parent in (_v1_dir(root), root):
        path = os.path.join(parent, CGROUP) if parent else None
        if path and os.path.isdir(path):
            try:
                os.rmdir(path)
            except OSError as error:
                LOG.warning("cannot remove the CPU cgroup %s: %s", path,
                            error)


def confine(pid, cgroup):
    """Move ``pid`` into ``cgroup``, or lower its session's priority.

    :returns: how the process was confined, for the log.
    """
    if cgroup:
        try:
            _write(os.path.join(cgroup, 'cgroup.procs'), pid)
            return 'cgroup %s' % cgroup
        except OSError as error:
            LOG.warning("cannot move kolla-ansible (pid %d) into %s: %s",
                        pid, cgroup, error)
    try:
        _write('/proc/%d/autogroup' % pid, NICENESS)
    except OSError as error:
        LOG.debug("autogroup of %d left as it is: %s", pid, error)
    return 'nice %d' % NICENESS


def command(argv):
    """Return ``argv`` run at the deploy host's nice value."""
    return ['nice', '-n', str(NICENESS)] + list(argv)
