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
"""Plan the roles without a frontend that go one host at a time.

kolla-ansible's play of such a role (memcached) restarts it on every host
at once, when every client's cache goes cold together. The plan applies
the role to one host at a time instead, in inventory order: kolla's role
and handlers recreate its containers there, the run waits until the host
listens on the role's port, then lets its clients settle before the next
host.
"""

from kolla_zdu_plugin.conf import loading
from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.planning import plan
from kolla_zdu_plugin.servicemap import builder

REASON = ('its clients spread over every host, so one host at a time '
          'leaves the others serving; kolla-ansible\'s own play restarts '
          'every host at once')


def _steps(host, role, conf):
    containers = ', '.join(entry[1] for entry in role.containers)
    address = role.address_of(host)
    return (
        plan.Step(host, plan.RECREATE,
                  "kolla-ansible's %s role and handlers recreate %s"
                  % (role.role, containers),
                  container=role.containers[0][1],
                  image=', '.join(entry[2] for entry in role.containers)),
        plan.Step(host, plan.WAIT_READY,
                  '%s listens on %s:%d' % (containers, address, role.port),
                  container=role.containers[0][1],
                  targets=((role.port, ''),),
                  window=conf.serial_roles.ready_timeout),
        plan.Step(host, plan.SETTLE,
                  'wait %d s for the clients of %s before the next host'
                  % (conf.serial_roles.settle_time, containers),
                  window=conf.serial_roles.settle_time),
    )


def check_roles(conf):
    """Refuse a role the plugin cannot apply one host at a time.

    :raises: ConfigError naming the option and the roles it knows.
    """
    unknown = sorted(set(conf.serial_roles.roles) -
                     set(builder.SERIAL_ROLES))
    if unknown:
        raise exceptions.ConfigError(
            reason='[serial_roles] roles in %s names %s; the roles the '
                   'plugin can apply one host at a time are: %s'
                   % (loading.config_source(conf), ', '.join(unknown),
                      ', '.join(sorted(builder.SERIAL_ROLES))))


def plan_serial_roles(service_map, conf):
    """Return a :class:`~.plan.SerialRolePlan` per enabled serial role.

    :raises: ConfigError for a role the plugin does not know.
    """
    check_roles(conf)
    wanted = set(conf.serial_roles.roles)
    return tuple(
        plan.SerialRolePlan(
            role=role.role, group=role.group, hosts=role.hosts,
            containers=role.containers, reason=REASON,
            addresses=role.addresses,
            batches=tuple(plan.Batch(hosts=(host,), mechanism=plan.SERIAL,
                                     steps=_steps(host, role, conf))
                          for host in role.hosts))
        for role in service_map.serial_roles if role.role in wanted)
