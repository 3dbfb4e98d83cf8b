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
"""The part of the HAProxy runtime client that runs on a loadbalancer host.

This module is self-contained (standard library only): the controller side
sends its source to the loadbalancer host and runs it there with python3,
so HAProxy's admin socket is only ever opened locally, through the socket
file of the haproxy container's volume, and never exposed on the network.

Input (argv[1]): base64 of a JSON object with ``container``,
``socket_path`` (inside the container), ``commands`` (a list of runtime API
commands), optional ``marks`` operations on the plugin's record of the
servers it took out of service and an optional ``lease`` in seconds.
Output (stdout): one JSON object.

The lease is a dead man's switch. While servers are on record, every request
of the run (one that carries ``lease``) pushes the record's deadline
``lease`` seconds ahead, and a watchdog (this same source, run as ``watch``
with base64 JSON settings in argv[2]) waits for it. On a host run by
systemd the watchdog is the transient unit
``kolla-zdu-lease-watchdog.service``, started with ``systemd-run`` from a
copy of this source beside the record, so that an operator sees it with
``systemctl status`` and can stop it; elsewhere it is a process in a
session of its own. If the deadline passes with no renewal, because the
run was killed, the watchdog sets the recorded servers ready, clears the
record and logs why in ``watchdog.log`` beside it.
"""

import base64
import contextlib
import csv
import fcntl
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

MARKS_FILE = '/var/lib/kolla-zdu/servers-out-of-service.json'
RECORD_LOCK = '.lock'
WATCHDOG_LOCK = '.watchdog'
WATCHDOG_LOG = 'watchdog.log'
WATCHDOG_UNIT = 'kolla-zdu-lease-watchdog'
WATCHDOG_SOURCE = 'lease-watchdog.py'
# How often, and how long apart, a unit that is still stopping is waited
# for before a new watchdog unit of the same name starts.
UNIT_RETRIES = 10
UNIT_RETRY_DELAY = 0.5
WATCH_INTERVAL = 1.0
TIMEOUT = 10
LOCK_TIMEOUT = 30
LOCK_POLL = 0.05
# kolla-ansible's kolla_container_engine values.
ENGINES = ('docker', 'podman')
DEFAULT_ENGINE = 'docker'

# A backend/server name as kolla-ansible renders them; anything else (a
# space, a semicolon, a newline) could smuggle a second command in.
_NAME = r'[A-Za-z0-9_.:-]+'
SERVER_NAME = '%s/%s' % (_NAME, _NAME)
_ADDRESS = r'[0-9A-Za-z_.:\[\]-]+'
# Every command the plugin sends, and how HAProxy answers when it worked.
_COMMANDS = (
    (re.compile(r'show stat$'), lambda a: a.startswith('# pxname,')),
    (re.compile(r'show cli level$'),
     lambda a: a.strip() in ('admin', 'operator', 'user')),
    (re.compile(r'show servers state( %s)?$' % _NAME),
     lambda a: a.startswith('1\n')),
    (re.compile(r'set server %s state (ready|drain|maint)$' % SERVER_NAME),
     lambda a: not a.strip()),
    (re.compile(r'add server %s %s:[0-9]{1,5}( check)?$'
                % (SERVER_NAME, _ADDRESS)),
     lambda a: a.strip() == 'New server registered.'),
    (re.compile(r'enable health %s$' % SERVER_NAME), lambda a: not a.strip()),
    (re.compile(r'shutdown sessions server %s$' % SERVER_NAME),
     lambda a: not a.strip()),
    (re.compile(r'del server %s$' % SERVER_NAME),
     lambda a: a.strip() == 'Server deleted.'),
)


class RecordError(ValueError):
    """The record of servers out of service cannot be read."""


def check_command(command):
    """Return how to recognise the success of ``command``.

    :raises: ValueError for a command the plugin never sends, which is
        how a name carrying ``;`` or a newline is refused.
    """
    for pattern, succeeded in _COMMANDS:
        if pattern.match(command):
            return succeeded
    raise ValueError('refusing runtime API command %r: not one the plugin '
                     'sends, or a name with characters kolla never uses'
                     % command)


def answered_ok(command, answer):
    """Return whether HAProxy's ``answer`` says ``command`` worked."""
    return check_command(command)(answer)


def socket_on_host(container, socket_path, engine=DEFAULT_ENGINE):
    """Return the host path of ``socket_path`` inside ``container``.

    :param engine: the container engine, ``docker`` or ``podman``.
    :raises: LookupError for another engine, or when no volume of the
        container holds the socket's directory.
    """
    if engine not in ENGINES:
        raise LookupError('container engine %r is not one of %s; set '
                          'kolla_container_engine' % (engine,
                                                      ', '.join(ENGINES)))
    output = subprocess.check_output(
        [engine, 'inspect', '--type', 'container', container],
        timeout=TIMEOUT)
    mounts = json.loads(output)[0].get('Mounts', [])
    directory, name = os.path.split(socket_path.rstrip('/'))
    for mount in mounts:
        if mount.get('Destination', '').rstrip('/') == directory:
            return os.path.join(mount['Source'], name)
    raise LookupError('no volume of container %s holds %s'
                      % (container, directory))


def send(path, command):
    """Send one runtime API command and return HAProxy's answer.

    :raises: ValueError, before connecting, for a command the plugin never
        sends.
    """
    check_command(command)
    return send_unchecked(path, command)


def send_unchecked(path, command):
    """Send any runtime API command; for tests and benches, not the run."""
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(TIMEOUT)
    try:
        client.connect(path)
        client.sendall(command.encode() + b'\n')
        chunks = []
        while True:
            chunk = client.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        client.close()
    return b''.join(chunks).decode(errors='replace')


@contextlib.contextmanager
def locked(path, timeout=LOCK_TIMEOUT):
    """Hold an exclusive lock on ``path``, created if missing.

    :raises: TimeoutError naming the file when another process holds the
        lock for longer than ``timeout`` seconds.
    """
    os.makedirs(os.path.dirname(path), exist_ok=True)
    deadline = time.monotonic() + timeout
    with open(path, 'a') as stream:
        while True:
            try:
                fcntl.flock(stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError('lock %s still held after %g s'
                                       % (path, timeout))
                time.sleep(LOCK_POLL)
        yield


def load_record(path=MARKS_FILE):
    """Return the record of servers the plugin took out of service.

    :returns: ``{'servers': [...], 'temporary': [...]}`` and, once a lease
        was given, ``lease`` (seconds) and ``deadline`` (Unix time). A file
        of earlier versions, a bare list, holds the servers alone; no file
        is an empty record.
    :raises: RecordError when the file exists but is not a record.
    """
    try:
        with open(path) as stream:
            data = json.load(stream)
    except FileNotFoundError:
        data = []
    except (OSError, ValueError) as exc:
        raise RecordError('the record %s of servers out of service cannot '
                          'be read (%s); check the servers it should list '
                          'with "show servers state", then remove it'
                          % (path, exc))
    if not isinstance(data, (list, dict)):
        raise RecordError('the record %s of servers out of service holds '
                          '%r, not a record; check the servers, then '
                          'remove it' % (path, data))
    record = {'servers': data} if isinstance(data, list) else dict(data)
    servers = set(record.get('servers') or ())
    record['servers'] = sorted(servers)
    record['temporary'] = sorted(servers & set(record.get('temporary')
                                               or ()))
    record['kept'] = sorted(servers & set(record.get('kept') or ()))
    return record


def save_record(record, path=MARKS_FILE):
    """Write the record atomically."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = path + '.tmp'
    with open(temporary, 'w') as stream:
        json.dump(record, stream, sort_keys=True)
    os.replace(temporary, path)


def load_marks(path=MARKS_FILE):
    """Return the servers recorded as taken out of service by the plugin."""
    return load_record(path)['servers']


def update_marks(add=(), remove=(), path=MARKS_FILE, temporary=False,
                 keep=()):
    """Add and remove ``backend/server`` names; return the new record.

    :param temporary: the added servers are the plugin's temporary ones,
        which the watchdog leaves for the next run to delete.
    :param keep: servers on record that stay out of service until the next
        run, whatever the lease: a failed host left drained on purpose.
    """
    with locked(path + RECORD_LOCK):
        record = load_record(path)
        servers = (set(record['servers']) - set(remove)) | set(add)
        temporary = set(record['temporary']) | (set(add) if temporary
                                                else set())
        kept = set(record['kept']) | set(keep)
        record.update(servers=sorted(servers),
                      temporary=sorted(temporary & servers),
                      kept=sorted(kept & servers))
        save_record(record, path)
    return record['servers']


def renew_lease(settings, seconds=None, clock=time.time):
    """Push the deadline of the servers on record and watch it.

    :param settings: the watchdog's, with ``marks_file``.
    :param seconds: the lease the run's request carries; a request
        without one (a reader's, not the run's) renews nothing.
    :returns: ``{'lease_deadline': ..., 'watchdog': pid or None}``, or
        ``{}`` when there is no server on record or no lease given.
    """
    if not seconds:
        return {}
    path = settings['marks_file']
    with locked(path + RECORD_LOCK):
        record = load_record(path)
        if not record['servers']:
            return {}
        record.update(lease=seconds, deadline=clock() + seconds)
        save_record(record, path)
        return {'lease_deadline': record['deadline'],
                'watchdog': ensure_watchdog(settings)}


def running_source():
    """Return the source of this agent, as a file or ``python3 -c``."""
    if '__file__' in globals():
        with open(__file__) as stream:
            return stream.read()
    with open('/proc/self/cmdline', 'rb') as stream:
        argv = stream.read().decode().split('\0')
    return argv[argv.index('-c') + 1]


def systemd_run():
    """Return the path of ``systemd-run`` when systemd runs this host."""
    if not os.path.isdir('/run/systemd/system'):
        return None
    return shutil.which('systemd-run')


def start_watchdog(settings, lock=None, source=None):
    """Start a watchdog in a session of its own; return its ``Popen``.

    :param lock: the watchdog lock, already taken, which the watchdog
        inherits so that no other one can start meanwhile.
    """
    settings = dict(settings, lock_fd=lock.fileno() if lock else None)
    return subprocess.Popen(
        [sys.executable or 'python3', '-c', source or running_source(),
         'watch', encode(settings)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, cwd='/', start_new_session=True,
        pass_fds=(lock.fileno(),) if lock else ())


def start_watchdog_unit(settings, command, source=None, sleep=time.sleep):
    """Start the watchdog as a transient systemd unit; return its name.

    The source is written beside the record, so the unit runs a file an
    operator can read. A unit of the same name that is still stopping is
    waited for; when none can start, the reason is raised.

    :param command: the ``systemd-run`` path.
    :raises: OSError when systemd-run keeps failing.
    """
    directory = os.path.dirname(settings['marks_file'])
    path = os.path.join(directory, WATCHDOG_SOURCE)
    with open(path + '.tmp', 'w') as stream:
        stream.write(source or running_source())
    os.replace(path + '.tmp', path)
    argv = [command, '--unit', WATCHDOG_UNIT, '--collect', '--quiet',
            '--description', 'kolla-zdu-plugin lease of the HAProxy servers '
            'in %s' % settings['marks_file'],
            sys.executable or 'python3', path, 'watch', encode(settings)]
    error = ''
    for _attempt in range(UNIT_RETRIES):
        done = subprocess.run(argv, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=TIMEOUT)
        if done.returncode == 0:
            return WATCHDOG_UNIT + '.service'
        error = done.stdout.decode(errors='replace').strip()
        sleep(UNIT_RETRY_DELAY)
    raise OSError('systemd-run could not start %s: %s'
                  % (WATCHDOG_UNIT, error))


def ensure_watchdog(settings):
    """Start the watchdog unless one runs; return what was started.

    :returns: the new watchdog's pid, or its unit's name under systemd;
        None when one already watches the record.
    """
    with open(settings['marks_file'] + WATCHDOG_LOCK, 'a+') as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return None
        command = systemd_run()
        if command is None:
            return start_watchdog(settings, lock).pid
    # The unit takes the lock itself; one started meanwhile by another
    # request makes this one exit at once.
    return start_watchdog_unit(settings, command)


def watch_lock(settings):
    """Return the watchdog lock, inherited or taken; None if held."""
    if settings.get('lock_fd') is not None:
        return os.fdopen(settings['lock_fd'], 'a+')
    lock = open(settings['marks_file'] + WATCHDOG_LOCK, 'a+')
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        return None
    return lock


def watch(settings, clock=time.time, sleep=time.sleep):
    """Wait for the lease of the servers on record; restore them at its end.

    Exits at once if another watchdog watches the same record, and as soon
    as the record is empty.
    """
    lock = watch_lock(settings)
    if lock is None:
        return 0
    with lock:
        lock.truncate(0)
        lock.write('%d\n' % os.getpid())
        lock.flush()
        delay = watch_step(settings, lock, clock)
        while delay:
            sleep(delay)
            delay = watch_step(settings, lock, clock)
    return 0


def watch_step(settings, lock, clock=time.time):
    """Look at the record once; return how long to sleep, 0 to stop.

    The watchdog lock is released under the record lock, so a request that
    adds servers meanwhile sees it free and starts a new watchdog.
    """
    path = settings['marks_file']
    try:
        with locked(path + RECORD_LOCK):
            return _watch_record(settings, lock, clock, path)
    except TimeoutError:
        return WATCH_INTERVAL
    except RecordError as exc:
        log(settings, 'stopping: %s' % exc)
        lock.close()
        return 0


def _watch_record(settings, lock, clock, path):
    record = load_record(path)
    watched = bool(record['servers']) and 'deadline' in record
    left = record.get('deadline', 0) - clock()
    if watched and left > 0:
        return min(left, WATCH_INTERVAL)
    if watched:
        restore(settings, record)
    lock.close()
    return 0


def watchdog_socket(settings):
    """Return the host path of the admin socket the agent found."""
    if os.path.exists(settings.get('socket') or ''):
        return settings['socket']
    return socket_on_host(settings['container'], settings['socket_path'],
                          settings.get('container_engine') or DEFAULT_ENGINE)


def restore(settings, record):
    """Set the record's servers ready, clear it and log what and why.

    Temporary servers are left for the next run to delete. If HAProxy
    cannot be reached the record is kept for the next run to converge.
    """
    left = set(record['temporary']) | set(record['kept'])
    servers = [name for name in record['servers'] if name not in left]
    why = ('lease of %gs expired at %s with no renewal (the run that took '
           'them out of service stopped)'
           % (record['lease'], time.strftime(
               '%Y-%m-%dT%H:%M:%S%z', time.localtime(record['deadline']))))
    try:
        path = watchdog_socket(settings)
        answers = {}
        for name in servers:
            command = 'set server %s state ready' % name
            answers[name] = (command, send(path, command))
    except (OSError, LookupError, ValueError, subprocess.SubprocessError) \
            as exc:
        log(settings, '%s; cannot reach HAProxy (%s), %s kept on record for '
                      'the next run' % (why, exc, ', '.join(servers)))
        return
    failed = {name: answer.strip() for name, (command, answer)
              in answers.items() if not answered_ok(command, answer)}
    save_record({'servers': sorted(set(failed) | set(record['kept'])),
                 'temporary': [], 'kept': record['kept']},
                settings['marks_file'])
    log(settings, '%s; set ready: %s; failed, kept on record: %s; '
                  'temporary left: %s; left drained on purpose: %s; '
                  'record %s'
        % (why, ', '.join(n for n in servers if n not in failed) or 'none',
           ', '.join('%s (%s)' % item for item in sorted(failed.items()))
           or 'none', ', '.join(record['temporary']) or 'none',
           ', '.join(record['kept']) or 'none',
           'kept for the next run' if failed or record['kept']
           else 'cleared'))


def log(settings, message):
    """Append one line to the log beside the record."""
    path = os.path.join(os.path.dirname(settings['marks_file']),
                        WATCHDOG_LOG)
    with open(path, 'a') as stream:
        stream.write('%s watchdog %d: %s\n' % (
            time.strftime('%Y-%m-%dT%H:%M:%S%z'), os.getpid(), message))


def hold_bounds(config_dir, marker):
    """Return the hold bounds of HAProxy's rendered backends.

    :param config_dir: kolla's node config dir of haproxy on this host
        (``/etc/kolla/haproxy``).
    :param marker: the name of the hold's Lua action.
    :returns: ``{backend: {'max_hold_ms': N or None, 'max_held': N or
        None}}`` for each backend whose lines use ``marker``.
    """
    action = re.compile(r'lua\.%s (\d+)' % re.escape(marker))
    held = re.compile(r'be_conn gt (\d+)')
    found = {}
    services = os.path.join(config_dir, 'services.d')
    for name in sorted(os.listdir(services)) if os.path.isdir(services) \
            else ():
        if not name.endswith('.cfg'):
            continue
        backend = None
        lines = {}
        with open(os.path.join(services, name)) as stream:
            for line in stream:
                words = line.split()
                if words and words[0] in ('backend', 'frontend', 'listen',
                                          'global', 'defaults'):
                    backend = words[1] if words[0] == 'backend' else None
                elif backend:
                    lines.setdefault(backend, []).append(line)
        for backend, text in lines.items():
            if not any(marker in line for line in text):
                continue
            bounds = found.setdefault(backend, {'max_hold_ms': None,
                                                'max_held': None})
            for line in text:
                match = action.search(line)
                if match:
                    bounds['max_hold_ms'] = int(match.group(1))
                match = held.search(line)
                if match and 'return status 503' in line:
                    bounds['max_held'] = int(match.group(1))
    return found


OUT_OF_SERVICE = ('MAINT', 'DRAIN')


def parse_stat(answer):
    """Parse ``show stat`` CSV into ``{'backend/server': row}``.

    Rows of frontends and the BACKEND pseudo-servers are left out.
    """
    servers = {}
    for row in csv.DictReader(io.StringIO(answer.lstrip('# '))):
        name = row.get('svname')
        if name and name not in ('FRONTEND', 'BACKEND'):
            servers['%s/%s' % (row['pxname'], name)] = row
    return servers


def operator_out(path, servers, marks):
    """Return the servers of ``servers`` someone else took out of service.

    They are in MAINT or DRAIN and not on the plugin's record: the
    operator's own maintenance, which the plugin never changes.
    """
    rows = parse_stat(send(path, 'show stat'))
    return sorted(
        name for name in servers
        if name in rows and name not in marks
        and (rows[name].get('status') or '').startswith(OUT_OF_SERVICE))


def state_change(path, change, marks_file, result):
    """Return the marks and commands of a state change of servers.

    Servers the operator took out of service are left alone, and named in
    ``result['left_alone']``.

    :param change: ``{'servers': [...], 'state': 'ready'|'drain'|'maint'}``.
    :returns: ``(marks, commands)``: servers put out of service are added
        to the record before the commands run, servers set ready leave it
        once HAProxy confirmed.
    """
    servers, state = list(change['servers']), change['state']
    left = operator_out(path, servers, set(load_marks(marks_file)))
    changed = [name for name in servers if name not in left]
    result['left_alone'] = left
    commands = ['set server %s state %s' % (name, state)
                for name in changed]
    marks = {'remove' if state == 'ready' else 'add': changed}
    return marks, commands


def send_all(path, commands, result):
    """Send ``commands`` in order into ``result``; stop at the first error.

    A command fails unless HAProxy's answer is the one that command gives
    when it worked.
    """
    responses = []
    for command in commands or ():
        try:
            answer = send(path, command)
        except (OSError, ValueError) as exc:
            result.update(failed=True,
                          msg='cannot send "%s" to %s: %s'
                              % (command, path, exc))
            break
        responses.append(answer)
        if not answered_ok(command, answer):
            result.update(failed=True, msg='"%s" answered "%s"'
                          % (command, answer.strip()))
            break
    result['responses'] = responses


def handle(request, locate=socket_on_host, marks_file=MARKS_FILE):
    """Carry out one request; return the JSON-able result.

    Servers are recorded, and their lease renewed, before any command takes
    them out of service.

    :param locate: finds the socket on the host from the container name and
        the path inside it.
    :param marks_file: where the record of servers out of service is kept.
    """
    result = {'failed': False}
    try:
        return _handle(request, locate, marks_file, result)
    except (RecordError, OSError) as exc:
        result.update(failed=True, msg=str(exc))
        return result


def _handle(request, locate, marks_file, result):
    marks = request.get('marks') or {}
    commands = request.get('commands')
    try:
        path = locate(request['container'], request['socket_path'],
                      request.get('container_engine') or DEFAULT_ENGINE)
    except (OSError, LookupError, ValueError,
            subprocess.SubprocessError) as exc:
        result.update(failed=True, msg='HAProxy socket not found: %s' % exc)
        return result
    result['socket'] = path
    if request.get('operator_out_of'):
        result['operator_out'] = operator_out(
            path, request['operator_out_of'], set(load_marks(marks_file)))
    if request.get('set_state'):
        marks, commands = state_change(path, request['set_state'],
                                       marks_file, result)
    if marks.get('add') or marks.get('keep'):
        result['marks'] = update_marks(
            add=marks.get('add') or (), path=marks_file,
            temporary=bool(marks.get('temporary')),
            keep=marks.get('keep') or ())
    result.update(renew_lease(
        {'container': request['container'], 'marks_file': marks_file,
         'container_engine': request.get('container_engine')
         or DEFAULT_ENGINE,
         'socket_path': request['socket_path'], 'socket': path},
        request.get('lease')))
    send_all(path, commands, result)
    if marks.get('remove') and not result['failed']:
        result['marks'] = update_marks(remove=marks['remove'],
                                       path=marks_file)
    if marks.get('read'):
        result['marks'] = load_marks(marks_file)
    if request.get('hold_config_dir'):
        result['hold_bounds'] = hold_bounds(
            request['hold_config_dir'], request.get('hold_marker', ''))
    return result


def encode(value):
    """Return ``value`` as JSON in base64, one command line argument."""
    return base64.b64encode(json.dumps(value).encode()).decode()


def decode(argument):
    """Return the JSON object of a base64 command line argument."""
    return json.loads(base64.b64decode(argument))


def main(argv):
    """Entry point on the loadbalancer host: a request, or ``watch``."""
    if argv[1] == 'watch':
        return watch(decode(argv[2]))
    sys.stdout.write(json.dumps(handle(decode(argv[1]))))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
