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
"""The ``[parallel]`` group: new containers beside the old ones."""

from oslo_config import cfg

from kolla_zdu_plugin.conf import utils

GROUP = cfg.OptGroup(
    'parallel',
    title='Parallel options',
    help='Where the new version of a service is started beside the old one '
         'before traffic moves to it.')

OPTS = [
    cfg.IntOpt(
        'port_offset',
        default=20000,
        min=1,
        max=60000,
        help='The new container listens on its service\'s listen port plus '
             'this offset, on the same API address. The sum must be a free '
             'TCP port on every host of the service.'),
    cfg.StrOpt(
        'container_suffix',
        default='_zdu_next',
        regex=r'^[A-Za-z0-9_.-]+$',
        help='Suffix of the name of the temporary container; its systemd '
             'unit follows kolla\'s naming for that container name.'),
    cfg.IntOpt(
        'min_free_memory_mb',
        default=512,
        min=0,
        help='Free memory, in MiB, a host must have before a second '
             'container of a service is started on it.'),
]


def register_opts(conf):
    """Register the ``[parallel]`` options on ``conf``."""
    utils.register_group_opts(conf, GROUP, OPTS)


def list_opts():
    """Return the ``[parallel]`` options for the sample generator."""
    return {GROUP: OPTS}
