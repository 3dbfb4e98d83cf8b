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
"""The ``[serial_roles]`` group: roles applied one host at a time."""

from oslo_config import cfg

from kolla_zdu_plugin.conf import utils

GROUP = cfg.OptGroup(
    'serial_roles',
    title='Serial role options',
    help='kolla roles without an HAProxy frontend whose clients spread '
         'over every host, applied one host at a time before the services.')

OPTS = [
    cfg.ListOpt(
        'roles',
        default=['memcached'],
        help='kolla roles the zero-downtime run applies one host at a '
             'time, before the services, each host gated on its port. '
             'kolla-ansible\'s own play restarts every host of such a role '
             'at once: for memcached, every API\'s cache is cold at the '
             'same moment. The roles the plugin knows are: memcached. An '
             'empty list leaves them to kolla-ansible.'),
    cfg.IntOpt(
        'ready_timeout',
        default=60,
        min=1,
        max=600,
        help='Seconds a recreated container may take to listen on its '
             'port before the run fails.'),
    cfg.IntOpt(
        'settle_time',
        default=360,
        min=0,
        max=3600,
        help='Seconds to wait after a host\'s container listens, before '
             'the next host. A memcached client of oslo.cache '
             '(memcache_pool) that meets a restarted server treats it as '
             'dead for [cache] memcache_dead_retry seconds (300 by '
             'default), and may meet it as late as [cache] '
             'memcache_pool_unused_timeout (60) after the restart; the '
             'next restart must wait until then, or every server is dead '
             'to the clients at once and the APIs run without a cache. '
             'Set it to the sum of both when the services set them lower.'),
]


def register_opts(conf):
    """Register the ``[serial_roles]`` options on ``conf``."""
    utils.register_group_opts(conf, GROUP, OPTS)


def list_opts():
    """Return the ``[serial_roles]`` options for the sample generator."""
    return {GROUP: OPTS}
