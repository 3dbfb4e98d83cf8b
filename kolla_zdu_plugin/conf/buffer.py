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
"""The ``[buffer]`` group: holding requests while all instances restart."""

from oslo_config import cfg

from kolla_zdu_plugin.conf import utils

GROUP = cfg.OptGroup(
    'buffer',
    title='Buffer options',
    help='Bounds on requests that HAProxy holds while no instance of a '
         'service can answer. Beyond either bound a request gets a 503 '
         'with Retry-After instead of waiting longer.')

OPTS = [
    cfg.IntOpt(
        'max_hold_time',
        default=20,
        min=1,
        max=300,
        help='Seconds a request may be held while the service restarts. '
             'It must stay below the clients\' own timeouts and HAProxy\'s '
             'timeout client.'),
    cfg.IntOpt(
        'max_held_requests',
        default=2000,
        min=1,
        max=1000000,
        help='Largest number of requests held at once per backend, which '
             'bounds HAProxy\'s memory during the hold.'),
    cfg.IntOpt(
        'max_restart_time',
        default=10,
        min=1,
        max=300,
        help='Longest restart, in seconds, that the auto strategy lets the '
             'buffer cover alone; services slower to start get a parallel '
             'warm-up first.'),
    cfg.Opt(
        'restart_times',
        type=cfg.types.Dict(value_type=cfg.types.Float(min=0)),
        default={},
        help='Measured restart times in seconds, as service:seconds pairs, '
             'for example keystone:6.5: from stopping the old container '
             'to the new one answering its health check. A service whose '
             'old and new versions must not serve together and whose '
             'restart fits within max_restart_time is upgraded by the auto '
             'strategy with a buffer alone; without a figure it gets a '
             'parallel warm-up and a buffered cut-over.'),
]


def register_opts(conf):
    """Register the ``[buffer]`` options on ``conf``."""
    utils.register_group_opts(conf, GROUP, OPTS)


def list_opts():
    """Return the ``[buffer]`` options for the sample generator."""
    return {GROUP: OPTS}
