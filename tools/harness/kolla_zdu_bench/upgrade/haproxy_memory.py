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
"""The peak memory of the ``haproxy`` container on each lab node.

Each node runs its own dockerd, so a reading is a ``docker exec`` into the
node. Three sources are tried in order and the first that gives a positive
figure is kept for that node, so its samples stay comparable: the
container's cgroup v2 ``memory.current``, its cgroup v1
``memory.usage_in_bytes``, then ``docker stats``' ``MemUsage`` column.
"""

import dataclasses
import re

from kolla_zdu_lab import dockercli
from kolla_zdu_lab import errors

CONTAINER = 'haproxy'
READ_TIMEOUT = 10
MIB = 1024.0 * 1024.0
UNITS = {
    'b': 1, 'kb': 1000, 'mb': 1000 ** 2, 'gb': 1000 ** 3, 'tb': 1000 ** 4,
    'kib': 1024, 'mib': 1024 ** 2, 'gib': 1024 ** 3, 'tib': 1024 ** 4,
}
SIZE = re.compile(r'^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*$')


def size_to_mib(text):
    """Return a size such as ``12.5MiB`` or ``980kB`` in MiB, or None."""
    match = SIZE.match(text or '')
    if not match:
        return None
    unit = match.group(2).lower() or 'b'
    if unit not in UNITS:
        return None
    return float(match.group(1)) * UNITS[unit] / MIB


def parse_mem_usage(output):
    """Return the usage of ``docker stats``' MemUsage output in MiB.

    The column reads ``12.34MiB / 1.944GiB``; the first non-empty line
    counts. Returns None for output that is not a size, such as ``--`` or
    an error message.
    """
    for line in (output or '').splitlines():
        if line.strip():
            return size_to_mib(line.split('/')[0])
    return None


def parse_cgroup_bytes(output):
    """Return a cgroup memory file's byte count in MiB, or None.

    The first line that is a plain integer counts; ``max`` and error
    messages do not.
    """
    for line in (output or '').splitlines():
        if line.strip().isdigit():
            return int(line.strip()) / MIB
    return None


@dataclasses.dataclass(frozen=True)
class Source(object):
    """One way to read the container's memory inside a node."""

    name: str
    argv: tuple
    parse: object


SOURCES = (
    Source('cgroup v2 memory.current',
           ('docker', 'exec', CONTAINER, 'cat',
            '/sys/fs/cgroup/memory.current'), parse_cgroup_bytes),
    Source('cgroup v1 memory.usage_in_bytes',
           ('docker', 'exec', CONTAINER, 'cat',
            '/sys/fs/cgroup/memory/memory.usage_in_bytes'),
           parse_cgroup_bytes),
    Source('docker stats MemUsage',
           ('docker', 'stats', '--no-stream', '--format', '{{.MemUsage}}',
            CONTAINER), parse_mem_usage),
)


def read_with(node, source, run=dockercli.node_exec):
    """Return the container's memory on ``node`` in MiB by ``source``.

    :returns: a positive figure, or None if the source gave none (the
        container restarting, the file missing, the command failing).
    """
    try:
        output = run(node, *source.argv, timeout=READ_TIMEOUT, check=False)
    except errors.LabError:
        return None
    value = source.parse(output)
    return value if value else None
