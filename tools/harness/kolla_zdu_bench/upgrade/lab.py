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
"""The lab as the bench needs it: a node count, and each upgrade's target.

The lab is made by ``kolla_zdu_lab``, as ``kolla-zdu-lab up`` and
``kolla-zdu-lab target`` make it.
"""

import dataclasses
import logging
import os

from kolla_zdu_lab import errors
from kolla_zdu_lab import kolla_config
from kolla_zdu_lab import lab
from kolla_zdu_lab import progress
from kolla_zdu_lab import scenario as lab_scenario
from kolla_zdu_lab import settings as settings_mod
from kolla_zdu_plugin import exceptions

LOG = logging.getLogger(__name__)


def existing_settings(state_dir):
    """Return the settings of the lab in ``state_dir``, or None."""
    try:
        return settings_mod.load_settings(state_dir)
    except errors.LabError:
        return None


def ensure_lab(state_dir, nodes):
    """Bring up a lab of ``nodes`` nodes, replacing one of another size.

    A lab already running with ``nodes`` nodes is reused (``up``
    converges). Its subnet, registry port and mirror are kept.

    :returns: the lab's settings.
    """
    existing = existing_settings(state_dir)
    if existing is not None and existing.nodes != nodes:
        LOG.info("taking down the %d-node lab to bring up %d nodes",
                 existing.nodes, nodes)
        lab.down(state_dir)
    if existing is not None and existing.nodes == nodes:
        # Start from v1, so the upgrades alternate v1->v2 first and the
        # mixed-version-unsafe scenario moves the schema up.
        kolla_config.set_start(existing)
    if existing is not None:
        wanted = dataclasses.replace(existing, nodes=nodes)
    else:
        wanted = settings_mod.LabSettings(state_dir=state_dir, nodes=nodes)
    LOG.info("bringing up a %d-node lab in %s", nodes, state_dir)
    with progress.Stopwatch() as watch:
        lab.up(wanted)
        if lab_scenario.enable_admin_socket(state_dir):
            LOG.info("HAProxy's admin socket enabled")
    LOG.info("%d-node lab ready in %.0f s", nodes, watch.seconds)
    return settings_mod.load_settings(state_dir)


def target_options(scenario):
    """Return the zdu-demo globals an upgrade of ``scenario`` installs."""
    return {'zdu_demo_exclusive_schema': scenario.exclusive_schema,
            'zdu_demo_startup_delay': 0}


def prepare_target(lab_settings, scenario):
    """Set the zdu-demo options of the next upgrade in globals.yml.

    ``upgrade_under_probe`` sets the release itself; this sets what
    ``kolla-zdu-lab target --exclusive-schema|--no-exclusive-schema
    --startup-delay 0`` would, so each upgrade turns the exclusive schema on
    or off again.
    """
    kolla_config.set_globals(kolla_config.globals_path(lab_settings),
                             target_options(scenario))


def zdu_config_args(scenario, output_dir):
    """Write the scenario's ``--zdu-config-file``; return the arguments."""
    if not scenario.zdu_config:
        return []
    path = os.path.join(output_dir, '%s-zdu.conf' % scenario.name)
    with open(path, 'w') as stream:
        stream.write(scenario.zdu_config)
    return ['--zdu-config-file', path]


def take_down(state_dir):
    """Remove the lab; log, rather than raise, if that fails."""
    LOG.info("taking the lab down")
    try:
        with progress.Stopwatch() as watch:
            lab.down(state_dir)
    except exceptions.ZduError as error:
        LOG.error("could not take the lab down: %s", error)
        return False
    LOG.info("lab down in %.0f s", watch.seconds)
    return True
