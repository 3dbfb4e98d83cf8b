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
"""Prepare a ``kolla-ansible upgrade --zero-downtime`` run.

kolla-ansible 22 passes ``-e kolla_serial=0`` after the user's variables,
joins several ``-p`` playbooks into one argument and exits before a hook's
``after()`` when Ansible fails. So the plan is made here, before Ansible
starts, and carried out by one generated playbook: kolla's ``-p`` accepts
it as the single playbook, it sets its own ``serial`` on the plays it
generates, and it cleans up inside Ansible (``always`` blocks) rather than in
``after()``.
"""

import datetime
import json
import logging
import os
import sys

from kolla_zdu_plugin.cli import options
from kolla_zdu_plugin.conf import loading
from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.planning import planner
from kolla_zdu_plugin.planning import render
from kolla_zdu_plugin.playbook import generator
from kolla_zdu_plugin.playbook import site_pass
from kolla_zdu_plugin.playbook import workspace
from kolla_zdu_plugin.servicemap import kolla_tree
from kolla_zdu_plugin.strategies import loader

LOG = logging.getLogger(__name__)


def _run_dir(conf):
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S-%f')
    path = os.path.join(conf.zdu.report_dir, stamp)
    try:
        os.makedirs(path)
    except OSError as exc:
        raise exceptions.ConfigError(
            reason='cannot create the run directory %s ([zdu] report_dir '
                   'in %s): %s' % (path, loading.config_source(conf), exc))
    return path


def site_playbooks(parsed_args, kolla_dir):
    """Return the playbooks a plain upgrade would have run."""
    return (parsed_args.playbook
            or [os.path.join(kolla_dir, 'site.yml')])


def prepare(parsed_args):
    """Validate, plan and write the run; return the rewritten arguments.

    The upgrade then runs the generated playbook, which imports the
    playbooks the operator asked for after the zero-downtime plays.

    :raises: ZduError before anything runs on the cluster.
    """
    conf = loading.load_config(parsed_args.kolla_config_path,
                               parsed_args.zdu_config_file,
                               parsed_args.zdu_strategy)
    service_map = options.build_service_map(parsed_args, conf)
    registry = loader.StrategyRegistry(conf)
    upgrade_plan = planner.make_plan(service_map, conf, registry)
    generator.check(upgrade_plan)
    kolla_dir = kolla_tree.kolla_ansible_dir()
    sites = site_playbooks(parsed_args, kolla_dir)
    run_dir = _run_dir(conf)
    with open(os.path.join(run_dir, 'plan.json'), 'w') as stream:
        json.dump(upgrade_plan.to_dict(), stream, indent=2)
    workspace.prepare(run_dir, kolla_dir, sites[0])
    written = site_pass.write(
        run_dir, upgrade_plan.site_pass,
        lambda change: generator.rolled_plays(upgrade_plan, change))
    playbook = generator.write(
        run_dir,
        generator.build(upgrade_plan, conf, written.site, written.first),
        generator.run_vars(upgrade_plan, conf))
    sys.stdout.write(render.as_table(upgrade_plan))
    sys.stdout.write('zero-downtime run directory: %s\n' % run_dir)
    LOG.info("zero-downtime playbook %s", playbook)
    parsed_args.playbook = [playbook]
    parsed_args.extra_vars = (parsed_args.extra_vars or []) + [
        '%s=%s' % (generator.RUN_DIR, run_dir)]
    return parsed_args
