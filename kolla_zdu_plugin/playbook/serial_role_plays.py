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
"""The plays of the roles applied one host at a time, read from the plan.

Each batch is one play of the ``zdu_serial_role`` role on one host; its
variables come from the batch's steps, and :func:`check` refuses a batch
whose steps are not those the role's tasks carry out, in order.
"""

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.planning import plan

ROLE = 'zdu_serial_role'
# What ansible/roles/zdu_serial_role/tasks/main.yml carries out, in order.
ROLE_STEPS = (plan.RECREATE, plan.WAIT_READY, plan.SETTLE)


def check(role_plans):
    """Refuse, before anything is written, a batch the role does not do.

    :raises: PreflightError naming the role, the host and both step lists.
    """
    for role_plan in role_plans:
        for batch in role_plan.batches:
            actions = tuple(step.action for step in batch.steps)
            if batch.mechanism != plan.SERIAL or len(batch.hosts) != 1 \
                    or actions != ROLE_STEPS \
                    or any(step.host != batch.hosts[0]
                           for step in batch.steps):
                raise exceptions.PreflightError(
                    reason='the plan of role %s has the steps %s on %s with '
                           'mechanism %s, but the %s role carries out %s on '
                           'one host' % (role_plan.role, ', '.join(actions),
                                         ', '.join(batch.hosts),
                                         batch.mechanism, ROLE,
                                         ', '.join(ROLE_STEPS)))


def role_vars(role_plan, batch):
    """Return the ``zdu_serial_role`` variables of one checked batch."""
    steps = dict((step.action, step) for step in batch.steps)
    ready = steps[plan.WAIT_READY]
    return {'zdu_serial_role_name': role_plan.role,
            'zdu_serial_role_address': role_plan.address_of(batch.hosts[0]),
            'zdu_serial_role_port': ready.targets[0][0],
            'zdu_serial_role_ready_timeout': ready.window,
            'zdu_serial_role_settle_time': steps[plan.SETTLE].window}


def plays(role_plans, make_play):
    """Return one play per batch, role after role, in plan order.

    :param make_play: ``make_play(name, hosts, role, role_vars)``.
    """
    return [make_play('zdu | %s | %s | %s' % (role_plan.role, batch.mechanism,
                                              batch.hosts[0]),
                      batch.hosts, ROLE, role_vars(role_plan, batch))
            for role_plan in role_plans for batch in role_plan.batches]
