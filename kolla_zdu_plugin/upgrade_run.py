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
from kolla_zdu_plugin import config
from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin import plan_format
from kolla_zdu_plugin import planner
from kolla_zdu_plugin.strategies import loader

LOG = logging.getLogger(__name__)


def _run_dir(conf):
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    path = os.path.join(conf.zdu.report_dir, stamp)
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise exceptions.ConfigError(
            reason='cannot create the run directory %s ([zdu] report_dir '
                   'in %s): %s' % (path, config.config_source(conf), exc))
    return path


def _check_executable(upgrade_plan, conf):
    for service_plan in upgrade_plan.services:
        name = service_plan.strategy.split(':')[-1].split('+')[0]
        if name == 'noop':
            continue
        strategy = loader.load_strategy(name, conf)
        if not getattr(strategy, 'can_execute', False):
            raise exceptions.PreflightError(
                reason='strategy %s planned for service %s cannot act on '
                       'the cluster in this release; choose another with '
                       '--zdu-strategy or [zdu] service_strategies'
                       % (service_plan.strategy, service_plan.service))


def prepare(parsed_args):
    """Validate, plan and write the run; return the rewritten arguments.

    :raises: ZduError before anything runs on the cluster.
    """
    conf = config.load_config(parsed_args.kolla_config_path,
                              parsed_args.zdu_config_file,
                              parsed_args.zdu_strategy)
    service_map = options.build_service_map(parsed_args, conf)
    upgrade_plan = planner.make_plan(service_map, conf)
    _check_executable(upgrade_plan, conf)
    run_dir = _run_dir(conf)
    with open(os.path.join(run_dir, 'plan.json'), 'w') as stream:
        json.dump(upgrade_plan.to_dict(), stream, indent=2)
    sys.stdout.write(plan_format.as_table(upgrade_plan))
    LOG.info("zero-downtime plan written to %s", run_dir)
    return parsed_args
