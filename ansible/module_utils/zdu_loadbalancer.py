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
"""The worker of the ``zdu_loadbalancer`` module: replace HAProxy and
keepalived on one host without closing a listener or moving the VIP.

HAProxy binds its listeners with ``SO_REUSEPORT``, so a second HAProxy
with the same configuration, the *bridge*, listens on the same addresses
beside kolla's. Once the bridge listens everywhere kolla's container does,
kolla's HAProxy is soft-stopped (SIGUSR1): it closes its listeners and
finishes the requests it has. With ``net.ipv4.tcp_migrate_req`` set, the
connections still queued on a closing listener move to the bridge's. kolla
then recreates its container, which listens beside the bridge, and the
bridge is soft-stopped in turn.

While keepalived is recreated on the host that holds the VIP, its peers'
keepalived are stopped, so none takes the VIP over, and the VIP is also
put on the loopback interface (the *anchor*), so the host keeps answering
for it between the old keepalived removing it and the new one, master
again, adding it back.
"""

import ipaddress
import json
import os
import re
import subprocess
import time

BRIDGE_LABEL = 'org.openstack.kolla-zdu.bridge-of'
ANCHOR_LABEL_SUFFIX = ':zdu'
MIGRATE_SYSCTL = 'sys/net/ipv4/tcp_migrate_req'
SYSTEMD_DIR = '/etc/systemd/system'
DROP_IN_NAME = 'zdu-no-restart.conf'
_LISTEN_STATE = '0A'
_SOCKET_LINK = re.compile(r'^socket:\[(\d+)\]$')


class LoadbalancerError(Exception):
    """An operation could not be carried out; the message says why."""


def unit_name(container):
    """Return the systemd unit kolla-ansible runs ``container`` under."""
    return 'kolla-%s-container.service' % container


def _hex_address(text):
    """Return the address of a /proc/net/tcp{,6} ``ADDR:PORT`` field."""
    address, port = text.split(':')
    raw = bytes.fromhex(address)
    if len(raw) == 4:
        ip = ipaddress.IPv4Address(raw[::-1])
    else:
        words = [raw[i:i + 4][::-1] for i in range(0, 16, 4)]
        ip = ipaddress.IPv6Address(b''.join(words))
    return '%s:%d' % (ip, int(port, 16))


def listening_sockets(proc='/proc'):
    """Return ``{inode: 'address:port'}`` of the TCP listeners here."""
    found = {}
    for name in ('tcp', 'tcp6'):
        path = os.path.join(proc, 'net', name)
        try:
            with open(path) as table:
                next(table)
                for line in table:
                    fields = line.split()
                    if len(fields) > 9 and fields[3] == _LISTEN_STATE:
                        found[fields[9]] = _hex_address(fields[1])
        except OSError:
            continue
    return found


def socket_inodes(pid, proc='/proc'):
    """Return the socket inodes process ``pid`` holds open."""
    fd_dir = os.path.join(proc, str(pid), 'fd')
    inodes = set()
    try:
        names = os.listdir(fd_dir)
    except OSError:
        return inodes
    for name in names:
        try:
            match = _SOCKET_LINK.match(os.readlink(os.path.join(fd_dir,
                                                                name)))
        except OSError:
            continue
        if match:
            inodes.add(match.group(1))
    return inodes


def descendants(pid, proc='/proc'):
    """Return ``pid`` and every process below it."""
    children = {}
    for name in os.listdir(proc):
        if not name.isdigit():
            continue
        try:
            with open(os.path.join(proc, name, 'stat')) as stat:
                parent = int(stat.read().rsplit(')', 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, ()))
    return found


class LoadbalancerWorker(object):
    """Carry out one ``zdu_loadbalancer`` operation on one host.

    :param module: the AnsibleModule, or a fake with ``params``,
        ``run_command``, ``check_mode``, ``exit_json`` and ``fail_json``.
    """

    def __init__(self, module, clock=time.monotonic, sleep=time.sleep,
                 proc='/proc', systemd_dir=SYSTEMD_DIR):
        self.module = module
        self.params = module.params
        self.engine = self.params['container_engine']
        self.clock = clock
        self.sleep = sleep
        self.proc = proc
        self.systemd_dir = systemd_dir
        self.changed = False
        self.result = {}

    # Commands on the host.

    def command(self, argv, check=True):
        rc, out, err = self.module.run_command(argv)
        if check and rc != 0:
            raise LoadbalancerError('%s failed (rc=%s): %s'
                                    % (' '.join(argv), rc,
                                       (err or out).strip()[-400:]))
        return rc, out

    def inspect(self, container):
        """Return ``(running, host pid, image)`` or None if it is absent."""
        rc, out = self.command(
            [self.engine, 'inspect', '--type', 'container', '--format',
             '{{.State.Running}} {{.State.Pid}} {{.Config.Image}}',
             container], check=False)
        if rc != 0:
            return None
        running, pid, image = out.split()
        return running == 'true', int(pid), image

    def has_unit(self, container):
        return os.path.exists(os.path.join(self.systemd_dir,
                                           unit_name(container)))

    def listeners(self, container):
        """Return the addresses ``container``'s processes listen on."""
        state = self.inspect(container)
        if not state or not state[0] or not state[1]:
            return set()
        sockets = listening_sockets(self.proc)
        found = set()
        for pid in descendants(state[1], self.proc):
            for inode in socket_inodes(pid, self.proc):
                if inode in sockets:
                    found.add(sockets[inode])
        return found

    def wait(self, what, condition, timeout=None):
        """Poll ``condition`` until it is true, or fail naming ``what``."""
        deadline = self.clock() + (timeout or self.params['timeout'])
        while not condition():
            if self.clock() > deadline:
                raise LoadbalancerError(
                    '%s within %s s' % (what,
                                        timeout or self.params['timeout']))
            self.sleep(self.params['poll_interval'])

    # HAProxy: the bridge.

    def bridge_name(self):
        return self.params['container'] + self.params['bridge_suffix']

    def start_bridge(self):
        """Start the bridge beside kolla's HAProxy, listening as it does."""
        container = self.params['container']
        bridge = self.bridge_name()
        state = self.inspect(container)
        if state is None or not state[0]:
            serving = self.listeners(bridge)
            if serving:
                # An interrupted run left the bridge serving in its place;
                # this batch carries on from there.
                self.result['bridged'] = True
                self.result['listeners'] = sorted(serving)
                self.result['msg'] = ('%s is not running and %s serves in '
                                      'its place' % (container, bridge))
                return
            self.result['bridged'] = False
            self.result['msg'] = ('%s is not running here; nothing to '
                                  'bridge' % container)
            return
        wanted = self.listeners(container)
        self.result['listeners'] = sorted(wanted)
        self.result['bridged'] = True
        if self.module.check_mode:
            self.changed = True
            return
        if self.params['migrate_requests']:
            self.migrate_requests()
        bridge_state = self.inspect(bridge)
        if bridge_state and not bridge_state[0]:
            self.command([self.engine, 'rm', '-f', bridge])
            bridge_state = None
        if bridge_state is None:
            self.command(self.bridge_argv(container, bridge, state[2]))
            self.changed = True
        self.wait('bridge %s did not listen on %s' % (bridge,
                                                      ', '.join(
                                                          sorted(wanted))),
                  lambda: wanted <= self.listeners(bridge))

    def bridge_argv(self, container, bridge, image):
        """Return the command that runs the bridge as ``container`` runs."""
        rc, out = self.command(
            [self.engine, 'inspect', '--type', 'container', '--format',
             '{{json .HostConfig.Binds}}\n{{json .Config.Env}}\n'
             '{{json .HostConfig.Ulimits}}', container])
        binds, env, ulimits = [json.loads(line) for line in
                               out.strip().splitlines()]
        argv = [self.engine, 'run', '--detach', '--name', bridge,
                '--network', 'host', '--label',
                '%s=%s' % (BRIDGE_LABEL, container)]
        for bind in binds or ():
            argv += ['--volume', bind]
        for variable in env or ():
            argv += ['--env', variable]
        for limit in ulimits or ():
            argv += ['--ulimit', '%s=%s:%s' % (
                limit['Name'], limit['Soft'], limit['Hard'])]
        return argv + [image]

    def migrate_requests(self):
        """Let a closing listener hand its queue to the others."""
        path = os.path.join(self.proc, MIGRATE_SYSCTL)
        try:
            with open(path) as current:
                if current.read().strip() == '1':
                    self.result['migrate_requests'] = True
                    return
            with open(path, 'w') as setting:
                setting.write('1\n')
            self.result['migrate_requests'] = True
        except OSError as error:
            self.result['migrate_requests'] = False
            self.module.warn('net.ipv4.tcp_migrate_req cannot be set (%s); '
                             'connections queued on a closing listener may '
                             'be reset' % error)

    def soft_stop(self):
        """Soft-stop ``container`` and keep it from being restarted."""
        container = self.params['container']
        state = self.inspect(container)
        if state is None or not state[0]:
            self.result['msg'] = '%s is not running' % container
            return
        if self.module.check_mode:
            self.changed = True
            return
        if self.params['require_bridge']:
            bridge = self.bridge_name()
            if not self.listeners(container) <= self.listeners(bridge):
                raise LoadbalancerError(
                    'bridge %s does not listen everywhere %s does; not '
                    'stopping %s' % (bridge, container, container))
        drop_in = self.suppress_restart(container)
        try:
            self.command([self.engine, 'kill', '--signal',
                          self.params['signal'], container])
            self.changed = True
            started = self.clock()
            self.wait('%s did not finish its connections and exit'
                      % container,
                      lambda: not (self.inspect(container) or (False,))[0])
            if drop_in:
                # systemd must see the exit under Restart=no, or restoring
                # the unit's Restart= would start the old container again.
                self.wait('systemd did not stop %s' % unit_name(container),
                          lambda: self.unit_state(container) in (
                              'inactive', 'failed'))
            self.result['waited'] = round(self.clock() - started, 2)
        finally:
            self.allow_restart(drop_in)

    def unit_state(self, container):
        rc, out = self.command(['systemctl', 'show', '--property',
                                'ActiveState', '--value',
                                unit_name(container)], check=False)
        return out.strip()

    def suppress_restart(self, container):
        if not self.has_unit(container):
            return None
        directory = os.path.join(self.systemd_dir,
                                 unit_name(container) + '.d')
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, DROP_IN_NAME)
        with open(path, 'w') as drop_in:
            drop_in.write('# kolla-zdu-plugin: %s exits on its own\n'
                          '[Service]\nRestart=no\n' % container)
        self.command(['systemctl', 'daemon-reload'])
        return path

    def allow_restart(self, path):
        if path is None or not os.path.exists(path):
            return
        os.remove(path)
        try:
            os.rmdir(os.path.dirname(path))
        except OSError:
            pass
        self.command(['systemctl', 'daemon-reload'])

    def wait_listening(self):
        """Wait until the container listens, on the same addresses twice."""
        container = self.params['container']
        previous = {'seen': None}

        def listening_steadily():
            now = self.listeners(container)
            steady = bool(now) and now == previous['seen']
            previous['seen'] = now
            return steady

        self.wait('%s did not listen' % container, listening_steadily)
        self.result['listeners'] = sorted(previous['seen'])
        return previous['seen']

    def retire_bridge(self):
        """Soft-stop and remove the bridge once kolla's HAProxy listens."""
        bridge = self.bridge_name()
        if self.inspect(bridge) is None:
            self.result['msg'] = 'no bridge %s' % bridge
            return
        if self.module.check_mode:
            self.changed = True
            return
        bridged = self.listeners(bridge)
        serving = self.wait_listening()
        self.result['dropped'] = sorted(bridged - serving)
        self.command([self.engine, 'kill', '--signal', self.params['signal'],
                      bridge], check=False)
        self.wait('bridge %s did not finish its connections and exit'
                  % bridge,
                  lambda: not (self.inspect(bridge) or (False,))[0])
        self.command([self.engine, 'rm', '--force', bridge])
        self.changed = True

    def converge_bridge(self):
        """Undo what an interrupted handoff left of HAProxy on this host.

        kolla's HAProxy running: retire a bridge left beside it. Stopped
        with no bridge serving: start it again. Stopped or absent with the
        bridge serving: leave both as they are, for the run's handoff of
        this host. The interrupted run may have rendered the target
        release's configuration already, which the stopped container's
        image can refuse; the handoff recreates HAProxy from the target
        image and then retires the bridge.
        """
        container = self.params['container']
        bridge = self.bridge_name()
        state = self.inspect(container)
        bridge_state = self.inspect(bridge)
        if bridge_state is not None and not bridge_state[0]:
            self.changed = True
            if not self.module.check_mode:
                self.command([self.engine, 'rm', '--force', bridge])
            bridge_state = None
        if state is None or not state[0]:
            if bridge_state is not None and self.listeners(bridge):
                self.result['left_to_handoff'] = True
                self.result['msg'] = (
                    '%s serves in place of %s, which is %s; the handoff of '
                    'this host recreates %s and retires the bridge'
                    % (bridge, container,
                       'absent' if state is None else 'stopped', container))
                return
            self.set_running(True)
        if bridge_state is not None:
            self.retire_bridge()

    # keepalived and the VIP.

    def set_running(self, running):
        """Start or stop the container, through its kolla unit if any."""
        container = self.params['container']
        state = self.inspect(container)
        if state is None or state[0] == running:
            return
        self.changed = True
        if self.module.check_mode:
            return
        verb = 'start' if running else 'stop'
        if self.has_unit(container):
            self.command(['systemctl', verb, unit_name(container)])
        else:
            self.command([self.engine, verb, container])

    def stop_container(self):
        self.set_running(False)

    def start_container(self):
        self.set_running(True)

    def addresses_on(self, interface=None, but=None):
        """Return the addresses on ``interface``, or on all but ``but``."""
        argv = ['ip', '-o', 'addr', 'show']
        if interface:
            argv += ['dev', interface]
        rc, out = self.command(argv)
        found = set()
        for line in out.splitlines():
            fields = line.split()
            if len(fields) > 3 and fields[1].split('@')[0] != but:
                found.add(fields[3].split('/')[0])
        return found

    def held(self):
        """Return the addresses keepalived put on this host."""
        return self.addresses_on(but=self.params['anchor_interface'])

    def _prefix(self, address):
        return 128 if ':' in address else 32

    def anchor(self):
        """Put every VIP on the anchor interface too."""
        interface = self.params['anchor_interface']
        present = self.addresses_on(interface)
        for address in self.params['addresses']:
            if address in present:
                continue
            self.changed = True
            if self.module.check_mode:
                continue
            argv = ['ip', 'addr', 'add', '%s/%d' % (address,
                                                    self._prefix(address)),
                    'dev', interface]
            if ':' not in address:
                argv += ['label', interface + ANCHOR_LABEL_SUFFIX]
            self.command(argv)

    def wait_vip(self):
        """Wait until keepalived has put the VIPs on this host again."""
        wanted = set(self.params['addresses'])
        started = self.clock()
        self.wait('keepalived did not put %s back on an interface other '
                  'than %s' % (', '.join(sorted(wanted)),
                               self.params['anchor_interface']),
                  lambda: wanted <= self.held())
        self.result['waited'] = round(self.clock() - started, 2)

    def release(self):
        """Take the VIPs off the anchor interface."""
        interface = self.params['anchor_interface']
        present = self.addresses_on(interface)
        for address in self.params['addresses']:
            if address not in present:
                continue
            self.changed = True
            if not self.module.check_mode:
                self.command(['ip', 'addr', 'del',
                              '%s/%d' % (address, self._prefix(address)),
                              'dev', interface])

    def holds(self):
        """Report whether keepalived holds the VIPs on this host."""
        wanted = set(self.params['addresses'])
        self.result['holds'] = bool(wanted) and bool(wanted & self.held())
        self.result['anchored'] = sorted(
            wanted & self.addresses_on(self.params['anchor_interface']))

    OPERATIONS = ('start_bridge', 'soft_stop', 'wait_listening',
                  'retire_bridge', 'converge_bridge',
                  'stop_container', 'start_container', 'anchor', 'wait_vip',
                  'release', 'holds')

    def run(self):
        operation = self.params['operation']
        try:
            getattr(self, operation)()
        except (LoadbalancerError, OSError, subprocess.SubprocessError,
                ValueError) as error:
            self.module.fail_json(changed=self.changed, msg='%s: %s' % (
                operation, error), **self.result)
            return
        self.module.exit_json(changed=self.changed, **self.result)
