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
"""The ``[readiness]`` group: when a new container may take traffic."""

from oslo_config import cfg

from kolla_zdu_plugin.conf import utils

GROUP = cfg.OptGroup(
    'readiness',
    title='Readiness options',
    help='The check a new container must pass before its server is made '
         'ready in HAProxy again.')

OPTS = [
    cfg.StrOpt(
        'probe',
        default='http',
        choices=[
            ('http', 'GET the service\'s health check path on the host\'s '
                     'API address and listen port; any 2xx passes.'),
        ],
        help='How readiness of a new container is decided. Only the kinds '
             'the run carries out are offered.'),
    cfg.StrOpt(
        'http_path',
        default='/',
        help='Path requested by the http probe when the service\'s HAProxy '
             'backend has no "option httpchk" of its own.'),
    cfg.IntOpt(
        'timeout',
        default=120,
        min=1,
        max=3600,
        help='Seconds a new container has to pass the readiness probe '
             'before the upgrade of that host counts as failed.'),
    cfg.IntOpt(
        'consecutive_successes',
        default=2,
        min=1,
        max=20,
        help='How many probes in a row must pass; a failed probe starts '
             'the count again.'),
    cfg.IntOpt(
        'request_timeout',
        default=2,
        min=1,
        max=60,
        help='Seconds one readiness request may take.'),
    cfg.StrOpt(
        'ca_path',
        default='',
        help='CA file, or directory of .crt and .pem files, on each host, '
             'that verifies backends with TLS (kolla_enable_tls_backend), '
             'which are probed over https. Empty: the host\'s system CAs, '
             'where kolla-ansible installs its root CA when '
             'kolla_copy_ca_into_containers is set.'),
]


def register_opts(conf):
    """Register the ``[readiness]`` options on ``conf``."""
    utils.register_group_opts(conf, GROUP, OPTS)


def list_opts():
    """Return the ``[readiness]`` options for the sample generator."""
    return {GROUP: OPTS}
