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
"""Steps shared by the strategies, so each is planned the same way."""

from kolla_zdu_plugin.planning import plan

ALL_HOSTS = '*'


def server_names(service, host=None):
    """Return ``backend/server`` names of ``host``, or of every host."""
    return tuple(
        '%s/%s' % (backend.backend_name, server.name)
        for backend in service.backends
        for server in backend.servers
        if host is None or server.host == host)


def next_server_names(service, host, conf):
    """Return the ``backend/server`` names of ``host``'s parallel server."""
    return tuple('%s%s' % (name, conf.parallel.container_suffix)
                 for name in server_names(service, host))


def readiness_targets(service, host, conf, port_offset=0):
    """Return the ``(port, path)`` pairs the probe requests on ``host``."""
    targets = []
    for backend, server in service.servers_of(host):
        target = (int(server.port) + port_offset,
                  backend.health_path(conf.readiness.http_path))
        if target not in targets:
            targets.append(target)
    return tuple(targets)


def readiness_target(service, host, conf, port_offset=0):
    """Describe what the readiness probe checks on ``host``."""
    checks = {'%s:%s %s' % (server.address, int(server.port) + port_offset,
                            backend.health_path(conf.readiness.http_path))
              for backend, server in service.servers_of(host)}
    return ', '.join(sorted(checks)) or host


def batch(hosts, mechanism, planned):
    """Return the :class:`~kolla_zdu_plugin.planning.plan.Batch` of steps."""
    return plan.Batch(hosts=tuple(hosts), mechanism=mechanism,
                      steps=tuple(planned))


def database(service, phase):
    """Return the steps of kolla's handlers that migrate the database."""
    action = (plan.DB_EXPAND_MIGRATE if phase == 'expand-migrate'
              else plan.DB_CONTRACT)
    when = ('before the first restart' if phase == 'expand-migrate'
            else 'after the last restart')
    return [plan.Step(host=step.host, action=action,
                      detail='kolla handler "%s" %s' % (step.handler, when))
            for step in service.database_steps if step.phase == phase]


def with_database_steps(service, batches):
    """Put kolla's migrations in the first and the last batch.

    kolla's handlers run the expand and migrate steps with the first
    restart and the contract step after the last one; the batch that
    restarts the container carries them out.
    """
    if not batches:
        return batches
    expand = database(service, 'expand-migrate')
    contract = database(service, 'contract')
    first = batches[0]
    batches[0] = batch(first.hosts, first.mechanism,
                       expand + list(first.steps))
    last = batches[-1]
    batches[-1] = batch(last.hosts, last.mechanism,
                        list(last.steps) + contract)
    return batches


def drain(service, host, conf):
    """Return the steps that take ``host`` out of every HAProxy."""
    servers = server_names(service, host)
    return [
        plan.Step(host=host, action=plan.DRAIN,
                  detail='set server state drain',
                  servers=servers, loadbalancers=service.loadbalancers),
        plan.Step(host=host, action=plan.WAIT_DRAINED,
                  detail='wait for in-flight requests to finish',
                  servers=servers, loadbalancers=service.loadbalancers,
                  window=conf.drain.timeout),
    ]


# The kolla variable that bounds each container's graceful stop.
GRACEFUL_TIMEOUT_VAR = 'docker_graceful_timeout'


def graceful_stop(conf):
    """Return ``(detail, variables)`` of the containers' graceful stop."""
    seconds = conf.drain.graceful_stop_timeout
    if seconds is None:
        return ("each stopped within kolla's %s" % GRACEFUL_TIMEOUT_VAR, ())
    return ('each stopped within %d s ([drain] graceful_stop_timeout)'
            % seconds, ((GRACEFUL_TIMEOUT_VAR, seconds),))


def recreate(service, host, conf):
    """Return the step recreating the containers through kolla's path.

    The fronted members on ``host`` are named with their images; the
    role's other containers there are the ones kolla's handlers restart
    with them. With ``[drain] graceful_stop_timeout`` the step sets
    kolla's graceful timeout for the batch.
    """
    containers = tuple((c.service, c.name)
                       for c in service.containers_on(host))
    fronted = [member for member in service.members
               if member is service or host in member.hosts]
    names = {member.container_name for member in fronted}
    others = [name for _key, name in containers if name not in names]
    stop, variables = graceful_stop(conf)
    return plan.Step(host=host, action=plan.RECREATE,
                     detail='kolla_container recreate_or_restart_container '
                            '%s%s; %s' % (', '.join(
                                '%s with %s' % (m.container_name, m.image)
                                for m in fronted),
                                ' (and %s, as the role changes them)'
                                % ', '.join(others) if others else '', stop),
                     container=service.container_name, image=service.image,
                     variables=variables,
                     role_containers=containers
                     or ((service.name, service.container_name),))


def wait_ready(service, host, conf, port_offset=0):
    """Return the step waiting for readiness on ``host``.

    With a ``port_offset``, the step checks the temporary container.
    """
    return plan.Step(host=host, action=plan.WAIT_READY,
                     container=(next_container_name(service, conf)
                                if port_offset else service.container_name),
                     detail='%s probe on %s' % (
                         conf.readiness.probe,
                         readiness_target(service, host, conf,
                                          port_offset)),
                     window=conf.readiness.timeout,
                     targets=readiness_targets(service, host, conf,
                                               port_offset))


def ready(service, host, servers=None):
    """Return the step putting servers back in every HAProxy."""
    return plan.Step(host=host, action=plan.READY,
                     detail='set server state ready',
                     servers=servers or server_names(service, host),
                     loadbalancers=service.loadbalancers)


def hold(service, conf):
    """Return the step making HAProxy hold new requests of the service."""
    return plan.Step(
        host=ALL_HOSTS, action=plan.HOLD,
        detail='hold requests at most %d s, at most %d at once; beyond, '
               '503 with Retry-After' % (conf.buffer.max_hold_time,
                                         conf.buffer.max_held_requests),
        servers=server_names(service), loadbalancers=service.loadbalancers,
        window=conf.buffer.max_hold_time)


def wait_held_drained(service, conf):
    """Return the step letting in-flight requests finish under the hold."""
    return plan.Step(
        host=ALL_HOSTS, action=plan.WAIT_DRAINED,
        detail='wait for in-flight requests to finish, then set server '
               'state maint, which keeps held requests off the old '
               'containers',
        servers=server_names(service), loadbalancers=service.loadbalancers,
        window=conf.drain.timeout)


def release(service):
    """Return the step releasing held requests to the new containers."""
    return plan.Step(host=ALL_HOSTS, action=plan.RELEASE,
                     detail='release held requests to the new containers',
                     servers=server_names(service),
                     loadbalancers=service.loadbalancers)


def next_container_name(service, conf):
    """Return the name of the temporary container of ``service``."""
    return service.container_name + conf.parallel.container_suffix


def next_port_variables(service, conf):
    """Return the kolla port variables that move the next container.

    Each of the role's listen-port variables is moved by ``[parallel]
    port_offset``, in the order of the ports its backends listen on.
    """
    listen_ports = sorted({int(server.port) for backend in service.backends
                           for server in backend.servers})
    return tuple((name, port + conf.parallel.port_offset)
                 for name, port in zip(service.port_vars, listen_ports))


def start_next(service, host, conf):
    """Return the step starting the new version beside the old one."""
    ports = tuple(sorted({int(server.port) + conf.parallel.port_offset
                          for _backend, server in service.servers_of(host)}))
    name = next_container_name(service, conf)
    return plan.Step(
        host=host, action=plan.START_NEXT,
        detail='start %s with %s on port %s' % (
            name, service.image, ', '.join(str(p) for p in ports)),
        container=name, image=service.image, ports=ports,
        variables=next_port_variables(service, conf))


def add_next(service, host, conf):
    """Return the step adding the parallel servers to every HAProxy."""
    return plan.Step(host=host, action=plan.ADD_NEXT,
                     detail='add server, state ready',
                     servers=next_server_names(service, host, conf),
                     loadbalancers=service.loadbalancers,
                     ports=tuple(int(server.port) + conf.parallel.port_offset
                                 for _backend, server
                                 in service.servers_of(host)))


def remove_next(service, host, conf):
    """Return the step removing the parallel container and its servers."""
    return plan.Step(host=host, action=plan.REMOVE_NEXT,
                     detail='drain and delete server, remove container '
                            '%s and its unit'
                            % next_container_name(service, conf),
                     servers=next_server_names(service, host, conf),
                     loadbalancers=service.loadbalancers,
                     window=conf.drain.timeout,
                     container=next_container_name(service, conf))
