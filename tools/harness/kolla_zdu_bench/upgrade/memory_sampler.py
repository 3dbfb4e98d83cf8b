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
"""Sample HAProxy's memory on every node once a second, keep the peak.

One daemon thread per node, so a slow ``docker exec`` on one node does not
delay the others. Each thread stops when :meth:`Sampler.stop` is called or
after ``max_samples`` samples, whichever comes first.
"""

import dataclasses
import logging
import threading
import typing

from kolla_zdu_bench.upgrade import haproxy_memory

LOG = logging.getLogger(__name__)
INTERVAL = 1.0
# An upgrade is bounded to 1800 s; the probe runs a little longer.
MAX_SAMPLES = 3600
JOIN_TIMEOUT = 2 * haproxy_memory.READ_TIMEOUT + 5


@dataclasses.dataclass
class NodePeak(object):
    """What the samples of one node gave."""

    peak_mib: typing.Optional[float] = None
    samples: int = 0
    missed: int = 0
    source: typing.Optional[str] = None

    def add(self, value):
        """Count one sample, None when it could not be read."""
        if value is None:
            self.missed += 1
            return
        self.samples += 1
        if self.peak_mib is None or value > self.peak_mib:
            self.peak_mib = value


def overall_peak(peaks):
    """Return the highest peak of ``{node: NodePeak}``, or None."""
    values = [peak.peak_mib for peak in peaks.values()
              if peak.peak_mib is not None]
    return max(values, default=None)


class Sampler(object):
    """Sample the ``haproxy`` container's memory on ``nodes``.

    Use as a context manager around the upgrade; :attr:`peaks` holds a
    :class:`NodePeak` per node.
    """

    def __init__(self, nodes, interval=INTERVAL, max_samples=MAX_SAMPLES,
                 read=haproxy_memory.read_with,
                 sources=haproxy_memory.SOURCES):
        self.interval = interval
        self.max_samples = max_samples
        self.read = read
        self.sources = sources
        self.peaks = {node: NodePeak() for node in nodes}
        self._stop = threading.Event()
        self._threads = []

    def sample(self, node):
        """Take one sample on ``node``; settle on a source at the first."""
        peak = self.peaks[node]
        sources = [source for source in self.sources
                   if peak.source in (None, source.name)]
        for source in sources:
            value = self.read(node, source)
            if value is not None:
                peak.source = source.name
                peak.add(value)
                return value
        peak.add(None)
        return None

    def _loop(self, node):
        for _ in range(self.max_samples):
            self.sample(node)
            if self._stop.wait(self.interval):
                return

    def start(self):
        """Start one sampling thread per node."""
        for node in self.peaks:
            thread = threading.Thread(target=self._loop, args=(node,),
                                      name='haproxy-memory-%s' % node,
                                      daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self):
        """Stop sampling and wait (bounded) for the threads to end."""
        self._stop.set()
        for thread in self._threads:
            thread.join(JOIN_TIMEOUT)
            if thread.is_alive():
                LOG.warning("memory sampler %s did not stop within %d s",
                            thread.name, JOIN_TIMEOUT)
        self._threads = []

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()
        return False
