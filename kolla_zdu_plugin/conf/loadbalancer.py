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
"""The ``[loadbalancer]`` group: upgrading HAProxy and keepalived."""

from oslo_config import cfg

from kolla_zdu_plugin.conf import utils

GROUP = cfg.OptGroup(
    'loadbalancer',
    title='Load balancer options',
    help='How kolla\'s loadbalancer role (HAProxy and keepalived) is '
         'upgraded one host at a time without closing a listener or moving '
         'the VIP.')

OPTS = [
    cfg.BoolOpt(
        'handoff',
        default=True,
        help='Upgrade the loadbalancer hosts one at a time: a bridge HAProxy '
             'listens beside kolla\'s while kolla recreates it, and on the '
             'host that holds the VIP its peers\' keepalived are stopped and '
             'the VIP is anchored on the loopback while keepalived is '
             'recreated. When false, kolla-ansible\'s own handlers restart '
             'them, which refuses or resets connections.'),
    cfg.StrOpt(
        'bridge_suffix',
        default='_zdu_bridge',
        help='Appended to the HAProxy container name to name the bridge.'),
    cfg.BoolOpt(
        'migrate_requests',
        default=True,
        help='Set net.ipv4.tcp_migrate_req to 1 on the loadbalancer hosts '
             '(Linux 5.14 and later), so connections queued on a HAProxy '
             'listener that closes move to the other HAProxy instead of '
             'being reset. It is left set.'),
    cfg.IntOpt(
        'soft_stop_timeout',
        default=120,
        min=1,
        max=3600,
        help='Seconds a soft-stopped HAProxy may take to answer the '
             'requests it holds and exit. Past it the run fails, with the '
             'bridge still serving, and a rerun carries on.'),
    cfg.IntOpt(
        'listen_timeout',
        default=60,
        min=1,
        max=600,
        help='Seconds a new HAProxy may take to listen.'),
    cfg.IntOpt(
        'failover_hold_timeout',
        default=60,
        min=5,
        max=600,
        help='Seconds the VIP holder\'s keepalived may take to hold the VIP '
             'again after kolla recreates it. Meanwhile the peers\' '
             'keepalived are stopped, so the VIP cannot fail over; past it '
             'they are started again and the run fails.'),
]


def register_opts(conf):
    """Register the ``[loadbalancer]`` options on ``conf``."""
    utils.register_group_opts(conf, GROUP, OPTS)


def list_opts():
    """Return the ``[loadbalancer]`` options for the sample generator."""
    return {GROUP: OPTS}
