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
"""The ``[zdu]`` group: how services are upgraded and what is reported."""

from oslo_config import cfg

from kolla_zdu_plugin.conf import utils

GROUP = cfg.OptGroup(
    'zdu',
    title='Zero-downtime upgrade options',
    help='How a zero-downtime upgrade chooses a strategy for each service, '
         'what it does on failure and where it writes its reports.')

OPTS = [
    cfg.StrOpt(
        'strategy',
        default='auto',
        help='The strategy used for every service that has no entry in '
             'service_strategies. It names an installed entry point of the '
             'kolla_zdu_plugin.strategies namespace: auto, rolling, buffer, '
             'parallel or noop with this package. The --zdu-strategy '
             'option of kolla-ansible upgrade overrides it.'),
    cfg.DictOpt(
        'service_strategies',
        default={},
        help='Per-service strategy overrides, as service:strategy pairs, '
             'for example keystone:rolling,horizon:parallel. Service names '
             'are the keys of the <project>_services dictionaries of '
             'kolla-ansible roles, as zdu-plan prints them.'),
    cfg.BoolOpt(
        'rollback_on_failure',
        default=True,
        help='When a new container fails its readiness check, put the '
             'previous image and configuration back on that host, return '
             'its servers to the load balancers and stop the upgrade with '
             'an error. When false, the failing host is left drained for '
             'the operator to inspect.'),
    cfg.StrOpt(
        'report_dir',
        default='/var/log/kolla/zdu',
        sample_default='/var/log/kolla/zdu',
        help='Directory on the deployment host where each run writes its '
             'JSON report and summary.'),
    cfg.ListOpt(
        'mixed_version_unsafe_services',
        default=[],
        help='Services whose old and new versions must never serve at the '
             'same time. The auto strategy never rolls them; it uses a '
             'buffered cut-over (after a parallel warm-up when possible).'),
]


def register_opts(conf):
    """Register the ``[zdu]`` options on ``conf``."""
    utils.register_group_opts(conf, GROUP, OPTS)


def list_opts():
    """Return the ``[zdu]`` options for the sample generator."""
    return {GROUP: OPTS}
