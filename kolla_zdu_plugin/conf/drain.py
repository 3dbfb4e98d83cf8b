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
"""The ``[drain]`` group: taking a server out of every HAProxy."""

from oslo_config import cfg

from kolla_zdu_plugin.conf import utils

GROUP = cfg.OptGroup(
    'drain',
    title='Drain options',
    help='How a server is drained from every HAProxy that fronts it before '
         'its container is recreated.')

OPTS = [
    cfg.IntOpt(
        'timeout',
        default=60,
        min=1,
        max=3600,
        help='Seconds to wait for the in-flight requests of a drained '
             'server to finish before its container is recreated anyway.'),
    cfg.FloatOpt(
        'poll_interval',
        default=0.5,
        min=0.1,
        max=10,
        help='Seconds between two reads of a drained server\'s current '
             'sessions.'),
    cfg.IntOpt(
        'recreate_time',
        default=120,
        min=1,
        max=3600,
        help='Seconds kolla-ansible may take to recreate a drained host\'s '
             'containers: stop the old ones within their graceful timeout '
             '(kolla\'s docker_graceful_timeout, 60 s by default) and start '
             'the new ones. Part of the time a host is out of service, '
             'which [haproxy] out_of_service_lease must cover.'),
    cfg.IntOpt(
        'graceful_stop_timeout',
        min=1,
        max=3600,
        help='Seconds kolla\'s handlers give each container of a role to '
             'stop gracefully in a zero-downtime batch, one host at a time: '
             'kolla\'s docker_graceful_timeout for those batches. Unset, '
             'kolla\'s own value applies. Give at least the longest '
             'graceful_shutdown_timeout of the role\'s services (oslo.service '
             'defaults to 60 s; nova asks for 180 s or more), so that an '
             'RPC server such as heat-engine finishes what it holds. It '
             'must not exceed recreate_time.'),
    cfg.IntOpt(
        'migration_time',
        default=600,
        min=0,
        max=86400,
        help='Seconds the database migrations that kolla\'s handlers run '
             'while the first host is drained may take (keystone\'s '
             'db_sync --expand and --migrate, for example). Counted in the '
             'time out of service only for services that migrate.'),
]


def register_opts(conf):
    """Register the ``[drain]`` options on ``conf``."""
    utils.register_group_opts(conf, GROUP, OPTS)


def list_opts():
    """Return the ``[drain]`` options for the sample generator."""
    return {GROUP: OPTS}
