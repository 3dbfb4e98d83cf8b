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
"""The time bounds of a run, computed once from the options.

The plan shows these values and the lease check compares them before
anything runs; the generated playbook takes its bounds from them.
"""

import dataclasses

from kolla_zdu_plugin.conf import loading
from kolla_zdu_plugin import exceptions

# Seconds beyond [buffer] max_hold_time after which the watchdog puts the
# servers of a buffered batch back, when the run stopped renewing: a held
# request has been answered by then, so nothing is gained by waiting for
# the whole out-of-service lease.
HOLD_LEASE_MARGIN = 5


@dataclasses.dataclass(frozen=True)
class Bounds:
    """Every bound of a run, in seconds unless named otherwise.

    :param migrates: whether a planned service migrates its database
        while its first host is drained, which adds ``migration_time`` to
        the time a host is out of service.
    """

    drain_timeout: int
    recreate_time: int
    readiness_timeout: int
    migration_time: int
    lease: int
    hold_time: int
    held_requests: int
    migrates: bool = False

    @property
    def hold_lease(self):
        """The lease of the servers of a buffered batch, in seconds."""
        return self.hold_time + HOLD_LEASE_MARGIN

    def out_of_service(self):
        """Return ``(seconds, parts)``: the longest time a host is out."""
        parts = [('[drain] timeout', self.drain_timeout),
                 ('[drain] recreate_time', self.recreate_time),
                 ('[readiness] timeout', self.readiness_timeout)]
        if self.migrates:
            parts.append(('[drain] migration_time', self.migration_time))
        return sum(seconds for _name, seconds in parts), parts


def from_conf(conf, migrates=False):
    """Return the :class:`Bounds` the options of ``conf`` set."""
    return Bounds(
        migrates=migrates,
        drain_timeout=conf.drain.timeout,
        recreate_time=conf.drain.recreate_time,
        readiness_timeout=conf.readiness.timeout,
        migration_time=conf.drain.migration_time,
        lease=conf.haproxy.out_of_service_lease,
        hold_time=conf.buffer.max_hold_time,
        held_requests=conf.buffer.max_held_requests)


def check_lease(bounds, conf):
    """Refuse a lease shorter than a host's longest time out of service.

    :raises: ConfigError naming the option, its file and the minimum.
    """
    needed, parts = bounds.out_of_service()
    if bounds.lease >= needed:
        return
    raise exceptions.ConfigError(
        reason='[haproxy] out_of_service_lease in %s is %d s, shorter than '
               'the %d s a host can be out of service (%s); a watchdog would '
               'put its servers back while its container is replaced. Set '
               'it to at least %d.'
               % (loading.config_source(conf), bounds.lease, needed,
                  ' + '.join('%s %d' % part for part in parts), needed))


def check_graceful_stop(conf):
    """Refuse a graceful stop longer than the recreate it is part of.

    :raises: ConfigError naming both options and their file.
    """
    stop = conf.drain.graceful_stop_timeout
    if stop is None or stop <= conf.drain.recreate_time:
        return
    raise exceptions.ConfigError(
        reason='[drain] graceful_stop_timeout in %s is %d s, longer than '
               '[drain] recreate_time (%d s), which bounds the whole '
               'recreate of a host: the stop and the start. Set '
               'recreate_time to at least %d plus the time the containers '
               'take to start.'
               % (loading.config_source(conf), stop,
                  conf.drain.recreate_time, stop))
