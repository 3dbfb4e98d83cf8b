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
"""The plays of the loadbalancer's own upgrade, read from its plan.

Each batch is one play of the ``zdu_loadbalancer`` role on one host; its
variables come from the batch's steps, and :func:`check_batch` refuses a
batch whose steps are not those the role's tasks carry out, in order.
"""

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.planning import loadbalancer
from kolla_zdu_plugin.planning import plan

ROLE = 'zdu_loadbalancer'
# What ansible/roles/zdu_loadbalancer/tasks/main.yml carries out, in order;
# a batch without HAProxy or without keepalived peers leaves steps out.
ROLE_STEPS = (plan.BRIDGE, plan.SOFT_STOP, plan.HOLD_VIP, plan.RECREATE,
              plan.WAIT_READY, plan.RETIRE_BRIDGE, plan.RELEASE_VIP)
_HAPROXY_STEPS = (plan.BRIDGE, plan.SOFT_STOP, plan.WAIT_READY,
                  plan.RETIRE_BRIDGE)
_VIP_STEPS = (plan.HOLD_VIP, plan.RELEASE_VIP)


def _expected(actions):
    steps = ROLE_STEPS
    if plan.BRIDGE not in actions:
        steps = tuple(s for s in steps if s not in _HAPROXY_STEPS)
    if plan.HOLD_VIP not in actions:
        steps = tuple(s for s in steps if s not in _VIP_STEPS)
    return steps


def check_batch(batch):
    """Refuse a loadbalancer batch the role does not carry out as planned.

    :raises: PreflightError naming the host and both step lists.
    """
    actions = tuple(step.action for step in batch.steps)
    if batch.mechanism != plan.HANDOFF or len(batch.hosts) != 1 \
            or actions != _expected(actions) \
            or any(step.host != batch.hosts[0] for step in batch.steps):
        raise exceptions.PreflightError(
            reason='the loadbalancer plan has the steps %s on %s with '
                   'mechanism %s, but the %s role carries out %s on one '
                   'host' % (', '.join(actions), ', '.join(batch.hosts),
                             batch.mechanism, ROLE,
                             ', '.join(_expected(actions))))


def check(lb_plan):
    """Refuse, before anything is written, a batch no role carries out."""
    for batch in lb_plan.batches if lb_plan else ():
        check_batch(batch)


def _step(batch, action):
    return next((step for step in batch.steps if step.action == action),
                None)


def role_vars(lb_plan, batch):
    """Return the ``zdu_loadbalancer`` variables of one checked batch."""
    bridge = _step(batch, plan.BRIDGE)
    soft_stop = _step(batch, plan.SOFT_STOP)
    hold = _step(batch, plan.HOLD_VIP)
    ready = _step(batch, plan.WAIT_READY)
    haproxy = lb_plan.container('haproxy', 'haproxy')
    role = {
        'zdu_loadbalancer_addresses': list(lb_plan.addresses),
        'zdu_loadbalancer_haproxy': haproxy,
        'zdu_loadbalancer_haproxy_enabled': bridge is not None,
        'zdu_loadbalancer_keepalived': lb_plan.container('keepalived',
                                                         'keepalived'),
        'zdu_loadbalancer_keepalived_enabled': hold is not None,
        'zdu_loadbalancer_peers': list(hold.loadbalancers) if hold else [],
        'zdu_loadbalancer_service_configs': list(lb_plan.service_configs),
    }
    if bridge is not None:
        role.update({
            'zdu_loadbalancer_bridge_suffix': bridge.container[len(haproxy):],
            'zdu_loadbalancer_migrate_requests': bool(
                dict(bridge.variables).get(loadbalancer.MIGRATE_SYSCTL)),
            'zdu_loadbalancer_listen_timeout': ready.window,
            'zdu_loadbalancer_soft_stop_timeout': soft_stop.window,
        })
    if hold is not None:
        role['zdu_loadbalancer_failover_hold_timeout'] = hold.window
    return role


def plays(lb_plan, make_play):
    """Return one play per batch, in plan order.

    :param make_play: ``make_play(name, hosts, role, role_vars)``.
    """
    if lb_plan is None:
        return []
    return [make_play('zdu | loadbalancer | %s | %s'
                      % (batch.mechanism, batch.hosts[0]),
                      batch.hosts, ROLE, role_vars(lb_plan, batch))
            for batch in lb_plan.batches]


def converge_vars(lb_plan, conf):
    """Return what the converge play needs to undo a killed handoff."""
    if lb_plan is None:
        return {}
    return {'hosts': list(lb_plan.hosts),
            'addresses': list(lb_plan.addresses),
            'haproxy': lb_plan.container('haproxy'),
            'keepalived': lb_plan.container('keepalived'),
            'bridge_suffix': conf.loadbalancer.bridge_suffix}
