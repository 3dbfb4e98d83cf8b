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
"""Plan the upgrade of kolla's loadbalancer role: the handoff.

One batch per loadbalancer host, in inventory order. The host that holds
the VIP is found when its batch runs, as kolla's handlers find it, so any
order keeps the VIP where it is.
"""

from kolla_zdu_plugin.planning import plan

MIGRATE_SYSCTL = 'net.ipv4.tcp_migrate_req'

REASON = ('HAProxy hands its listeners to a bridge while kolla recreates '
          'it, and keepalived is recreated with the VIP anchored and its '
          'peers stopped, so no listener closes and the VIP does not move')


def _steps(host, lb, conf):
    haproxy = lb.container('haproxy')
    keepalived = lb.container('keepalived')
    bridge = haproxy + conf.loadbalancer.bridge_suffix
    peers = [peer for peer in lb.hosts if peer != host]
    sysctls = ((MIGRATE_SYSCTL, 1),) if conf.loadbalancer.migrate_requests \
        else ()
    migrate = '; set %s=1' % MIGRATE_SYSCTL if sysctls else ''
    steps = []
    if haproxy:
        steps += [
            plan.Step(host, plan.BRIDGE,
                      'start %s from the image and volumes of %s; wait until '
                      'it listens everywhere %s does%s'
                      % (bridge, haproxy, haproxy, migrate),
                      container=bridge, variables=sysctls,
                      window=conf.loadbalancer.listen_timeout),
            plan.Step(host, plan.SOFT_STOP,
                      'SIGUSR1 to %s: it closes its listeners, answers what '
                      'it holds and exits, not restarted' % haproxy,
                      container=haproxy,
                      window=conf.loadbalancer.soft_stop_timeout),
        ]

    def vip_step(action, detail):
        return plan.Step(host, action, detail, container=keepalived,
                         loadbalancers=tuple(peers),
                         window=conf.loadbalancer.failover_hold_timeout)

    if keepalived and peers:
        steps.append(vip_step(
            plan.HOLD_VIP,
            'if %s holds %s when the batch runs: stop %s on %s (no '
            'failover from here on) and anchor the VIP on the loopback'
            % (host, ', '.join(lb.addresses), keepalived, ', '.join(peers))))
    configs = (', with the HAProxy configuration of %s,'
               % ', '.join(lb.service_configs) if lb.service_configs else '')
    steps.append(plan.Step(
        host, plan.RECREATE,
        "kolla-ansible's loadbalancer role%s and handlers recreate %s"
        % (configs, ', '.join(entry[1] for entry in lb.containers)),
        image=', '.join(entry[2] for entry in lb.containers)))
    if haproxy:
        steps += [
            plan.Step(host, plan.WAIT_READY,
                      '%s listens, the same addresses twice in a row'
                      % haproxy, container=haproxy,
                      window=conf.loadbalancer.listen_timeout),
            plan.Step(host, plan.RETIRE_BRIDGE,
                      'SIGUSR1 to %s; remove it once it exits' % bridge,
                      container=bridge,
                      window=conf.loadbalancer.soft_stop_timeout),
        ]
    if keepalived and peers:
        steps.append(vip_step(
            plan.RELEASE_VIP,
            'if held: wait until %s holds the VIP again, take it off the '
            'loopback and start %s on %s'
            % (keepalived, keepalived, ', '.join(peers))))
    return tuple(steps)


def plan_loadbalancer(service_map, conf):
    """Return the :class:`~.plan.LoadBalancerPlan`, or None.

    None when the deployment runs no loadbalancer role, or when
    ``[loadbalancer] handoff`` is false and kolla's handlers restart it.
    """
    lb = service_map.loadbalancer
    if lb is None or not lb.containers or not conf.loadbalancer.handoff:
        return None
    notes = ()
    if lb.container('proxysql'):
        notes = ('proxysql is recreated by kolla\'s handlers; its database '
                 'clients reconnect',)
    batches = tuple(plan.Batch(hosts=(host,), mechanism=plan.HANDOFF,
                               steps=_steps(host, lb, conf))
                    for host in lb.hosts)
    return plan.LoadBalancerPlan(hosts=lb.hosts, containers=lb.containers,
                                 addresses=lb.addresses, batches=batches,
                                 reason=REASON, notes=notes,
                                 service_configs=lb.service_configs)
