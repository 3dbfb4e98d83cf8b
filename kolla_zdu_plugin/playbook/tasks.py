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
"""Ansible tasks the strategies' plays are made of.

Each function returns one task (a dict) or a list of tasks, written as an
operator would write them by hand, with names that say what and where.
"""

from kolla_zdu_plugin.strategies import steps

PREVIOUS_IMAGE = 'zdu_previous_image'
RUN_DIR = 'zdu_run_dir'
EVENTS = '{{ %s }}/events.jsonl' % RUN_DIR
# Seconds one readiness request may take.
READY_ATTEMPT_TIMEOUT = 2


def haproxy_args(operation, conf, **extra):
    """Return the arguments of a ``zdu_haproxy`` task.

    The container engine is kolla-ansible's own ``kolla_container_engine``
    (docker or podman), as the host's inventory sets it.
    """
    args = {'operation': operation,
            'container': conf.haproxy.container_name,
            'container_engine': '{{ kolla_container_engine }}',
            'socket_path': conf.haproxy.socket_path}
    args.update(extra)
    return args


def haproxy(operation, servers, service, conf, **extra):
    """Run ``zdu_haproxy`` on every loadbalancer host of ``service``."""
    args = haproxy_args(operation, conf, servers=list(servers),
                        lease=conf.haproxy.out_of_service_lease,
                        events_file=EVENTS, **extra)
    return {
        'name': 'zdu | %s %s in every HAProxy' % (
            operation, ', '.join(servers)),
        'zdu_haproxy': args,
        'delegate_to': '{{ item }}',
        'loop': list(service.loadbalancers),
    }


def wait_drained(servers, service, conf):
    """Wait until the drained servers have no session left, bounded."""
    return haproxy('wait_drained', servers, service, conf,
                   timeout=conf.drain.timeout,
                   poll_interval=conf.drain.poll_interval)


def record_previous(service):
    """Remember the image and configuration running now, for a roll-back."""
    return [
        {'name': 'zdu | read the running image of %s'
                 % service.container_name,
         'become': True,
         'kolla_container_facts': {
             'container_engine': '{{ kolla_container_engine }}',
             'action': 'get_containers',
             'name': [service.container_name]},
         'register': 'zdu_container_facts'},
        {'name': 'zdu | remember the running image of %s'
                 % service.container_name,
         'ansible.builtin.set_fact': {
             PREVIOUS_IMAGE: "{{ zdu_container_facts.containers['%s']"
                             ".Config.Image | default('') }}"
                             % service.container_name}},
        save_config(service),
    ]


PREVIOUS_CONFIG_SUFFIX = '.zdu-previous'


def config_dir(service):
    """Return kolla's configuration directory of ``service`` on a host."""
    return '{{ node_config_directory }}/%s' % service.name


def _shell_dirs(service):
    """Return the quoted shell words of the directory and its copy.

    ``node_config_directory`` comes from the operator's globals.yml, so it
    goes through Jinja's ``quote`` filter before the shell sees it.
    """
    path = "(node_config_directory ~ '/%s%s')"
    return {'d': '{{ %s | quote }}' % (path % (service.name, '')),
            'copy': '{{ %s | quote }}' % (path % (service.name,
                                                  PREVIOUS_CONFIG_SUFFIX))}


def container_definition(service, name, image):
    """Return ``kolla_container`` arguments from the role's definition."""
    definition = "%s['%s']" % (service.services_var, service.name)
    return {
        'common_options': '{{ docker_common_options }}',
        'name': name,
        'image': image,
        'volumes': "{{ %s.volumes | reject('equalto', '') | list }}"
                   % definition,
        'dimensions': '{{ %s.dimensions | default({}) }}' % definition,
        'healthcheck': '{{ %s.healthcheck | default(omit) }}' % definition,
        'environment': '{{ %s.environment | default(omit) }}' % definition}


def save_config(service):
    """Keep a copy of the configuration the container runs with now."""
    directory = config_dir(service)
    return {
        'name': 'zdu | keep a copy of %s for a roll-back' % directory,
        'become': True,
        'changed_when': False,
        'ansible.builtin.shell':
            'rm -rf {copy} && if [ -d {d} ]; then cp -a {d} {copy}; fi'
            .format(**_shell_dirs(service))}


def forget_config(service):
    """Remove the copy :func:`save_config` kept."""
    return {
        'name': 'zdu | remove the copy of %s' % config_dir(service),
        'become': True,
        'ansible.builtin.file': {
            'path': config_dir(service) + PREVIOUS_CONFIG_SUFFIX,
            'state': 'absent'}}


def kolla_role(service, extra_vars=None, tasks_from=None):
    """Run the service's kolla-ansible role on the play's hosts."""
    include = {'name': service.project}
    if tasks_from:
        include['tasks_from'] = tasks_from
    suffix = ' (%s)' % tasks_from if tasks_from else ''
    # Public, so the role's definitions stay known to a roll-back.
    include['public'] = True
    task = {'name': 'zdu | kolla-ansible role %s%s' % (service.project,
                                                       suffix),
            'ansible.builtin.include_role': include}
    if extra_vars:
        task['vars'] = dict(extra_vars)
    return task


def flush_handlers():
    """Let kolla's handlers recreate the containers now."""
    return {'name': 'zdu | run kolla handlers',
            'ansible.builtin.meta': 'flush_handlers'}


def _readiness_targets(service, host, port_offset, conf):
    targets = []
    for backend, server in service.servers_of(host):
        target = (int(server.port) + port_offset,
                  backend.health_path(conf.readiness.http_path))
        if target not in targets:
            targets.append(target)
    return targets


def readiness_urls(service, host, conf, port_offset=0):
    """Return the URLs the readiness probe requests on ``host``."""
    return ['http://{{ api_interface_address | '
            "put_address_in_context('url') }}:%d%s" % target
            for target in _readiness_targets(service, host, port_offset,
                                             conf)]


def wait_ready(service, host, conf, port_offset=0, label=None):
    """Wait until the container on ``host`` answers its health check.

    :param label: how task names call the host (default: ``host``).
    """
    label = label or host
    # One attempt takes at most READY_ATTEMPT_TIMEOUT plus the 1 s delay,
    # so the retries keep the wait within [readiness] timeout.
    attempt = READY_ATTEMPT_TIMEOUT + 1
    retries = max(1, int(conf.readiness.timeout) // attempt)
    result = []
    for url in readiness_urls(service, host, conf, port_offset):
        for attempt in range(conf.readiness.consecutive_successes):
            result.append({
                'name': 'zdu | readiness of %s on %s: GET %s (%d/%d)' % (
                    service.name, label, url, attempt + 1,
                    conf.readiness.consecutive_successes),
                'ansible.builtin.uri': {'url': url,
                                        'timeout': READY_ATTEMPT_TIMEOUT,
                                        'status_code': list(range(200,
                                                                  300))},
                'register': 'zdu_ready',
                'until': 'zdu_ready is succeeded',
                'retries': retries,
                'delay': 1,
            })
    return result


def _restore_previous(service, label):
    """Put the previous configuration and image back, through kolla."""
    directory = config_dir(service)
    known = '%s | length > 0 and %s is defined' % (PREVIOUS_IMAGE,
                                                   service.services_var)
    return [
        {'name': 'zdu | put the previous %s back on %s' % (directory, label),
         'become': True,
         'when': known,
         'ansible.builtin.shell':
             'if [ -d {copy} ]; then rm -rf {d} && cp -a {copy} {d}; fi'
             .format(**_shell_dirs(service))},
        {'name': 'zdu | roll %s on %s back to {{ %s }}' % (
            service.name, label, PREVIOUS_IMAGE),
         'become': True,
         'when': known,
         'kolla_container': dict(
             container_definition(service, service.container_name,
                                  '{{ %s }}' % PREVIOUS_IMAGE),
             action='recreate_or_restart_container')},
    ]


def fail(message):
    """Stop the host's play with ``message``."""
    return {'name': 'zdu | stop', 'ansible.builtin.fail': {'msg': message}}


KEEP_DRAINED = 'zdu_keep_drained'
ROLLBACK_FAILED = 'zdu_rollback_failed'


def unless_kept_drained(task):
    """Skip ``task`` when the rescue decided to keep the host drained."""
    task['when'] = 'not (%s | default(false))' % KEEP_DRAINED
    return task


def _rolled_back_ready(service, host, conf, label):
    """Wait for the rolled-back container; note when it does not pass."""
    tasks = []
    for task in wait_ready(service, host, conf, label=label):
        task['ignore_errors'] = True
        tasks.append(task)
        tasks.append({
            'name': 'zdu | note that %s on %s did not pass readiness after '
                    'the roll-back' % (service.name, label),
            'when': 'zdu_ready is failed',
            'ansible.builtin.set_fact': {ROLLBACK_FAILED: True}})
    return tasks


def _keep_drained(service, host, conf, keep):
    """Return the tasks that keep the host's servers out of service."""
    keep_task = haproxy('keep', steps.server_names(service, host), service,
                        conf)
    keep_task['when'] = '%s | bool' % KEEP_DRAINED
    return [{'name': 'zdu | decide whether %s stays drained' % host,
             'ansible.builtin.set_fact': {KEEP_DRAINED: keep}},
            keep_task]


def roll_back(service, host, conf, label=None, can_stay_drained=False):
    """Put the previous image back on ``host`` and say what failed.

    "Rolled back" is said only when the rolled-back container passed
    readiness. A host that cannot serve (its roll-back failed readiness,
    or ``[zdu] rollback_on_failure`` is false) stays drained when
    ``can_stay_drained``, with its servers kept on the plugin's record
    so that the next run puts them back; a play that restarted every host
    at once puts its servers back whatever happened, as leaving them out
    would leave the service with none.

    :param label: how messages call the host (default: ``host``).
    """
    label = label or host
    urls = ', '.join(readiness_urls(service, host, conf))
    check = ('{{ ansible_failed_task.name | default("a step") }}: '
             '{{ ansible_failed_result.msg | default("") }}')
    tasks = []
    drained = ('left drained until the next run' if can_stay_drained
               else 'put back in service')
    if conf.zdu.rollback_on_failure and service.services_var:
        tasks += _restore_previous(service, label)
        tasks += _rolled_back_ready(service, host, conf, label)
        keep = '{{ %s | default(false) }}' % ROLLBACK_FAILED
        outcome = ("{{ ('rolled back to ' ~ %s) if not (%s | default(false)) "
                   "else ('rolled back to ' ~ %s ~ ', which did not pass "
                   "readiness either; the host was %s') }}"
                   % (PREVIOUS_IMAGE, ROLLBACK_FAILED, PREVIOUS_IMAGE,
                      drained))
    else:
        keep = True
        why = ('[zdu] rollback_on_failure is false'
               if not conf.zdu.rollback_on_failure
               else "kolla's definition of the container is not known")
        outcome = ('not rolled back (%s); the host was %s, and the previous '
                   'configuration is in %s%s' % (
                       why, drained, config_dir(service),
                       PREVIOUS_CONFIG_SUFFIX))
    if can_stay_drained:
        tasks += _keep_drained(service, host, conf, keep)
    tasks.append(fail(
        'zero-downtime upgrade of service %s failed on host %s (readiness '
        'check GET %s, timeout %ss). %s. It was %s.'
        % (service.name, label, urls, conf.readiness.timeout, check,
           outcome)))
    return tasks
