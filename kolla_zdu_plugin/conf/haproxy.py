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
"""The ``[haproxy]`` group: reaching HAProxy's runtime API."""

from oslo_config import cfg

from kolla_zdu_plugin.conf import utils

GROUP = cfg.OptGroup(
    'haproxy',
    title='HAProxy options',
    help='How the plugin reaches the HAProxy runtime API on each '
         'loadbalancer host. The socket is only used through Ansible on '
         'that host and is never exposed on a network port.')

OPTS = [
    cfg.StrOpt(
        'socket_path',
        default='/var/lib/kolla/haproxy/haproxy.sock',
        help='Path of HAProxy\'s stats socket inside the haproxy container, '
             'as kolla-ansible configures it. It must be at "level admin"; '
             'set haproxy_socket_level_admin: true in globals.yml.'),
    cfg.StrOpt(
        'container_name',
        default='haproxy',
        help='Name of the HAProxy container on each loadbalancer host.'),
    cfg.StrOpt(
        'loadbalancer_group',
        default='loadbalancer',
        help='Inventory group of the hosts that run HAProxy.'),
    cfg.IntOpt(
        'out_of_service_lease',
        default=900,
        min=30,
        max=21600,
        help='Seconds the servers the plugin drained or put in maintenance '
             'stay out of service without news from the run. Every call of '
             'the run to a loadbalancer host renews this lease; when it '
             'expires, a watchdog on that host sets the servers ready '
             'again and logs it in /var/lib/kolla-zdu/watchdog.log. A run '
             'that is killed therefore leaves servers out of service at '
             'most this long. It must cover the longest time one host '
             'spends out of service: [drain] timeout, [drain] '
             'recreate_time and [readiness] timeout together, plus [drain] '
             'migration_time for a service that migrates its database; a '
             'shorter lease is refused before the run starts, because '
             'servers would come back while their container is replaced.'),
]


def register_opts(conf):
    """Register the ``[haproxy]`` options on ``conf``."""
    utils.register_group_opts(conf, GROUP, OPTS)


def list_opts():
    """Return the ``[haproxy]`` options for the sample generator."""
    return {GROUP: OPTS}
