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
commands) and optional ``marks`` operations on the plugin's record of the
servers it took out of service. Output (stdout): one JSON object.
"""

import base64
import json
import os
import socket
import subprocess
import sys

MARKS_FILE = '/var/lib/kolla-zdu/servers-out-of-service.json'
TIMEOUT = 10


def socket_on_host(container, socket_path):
    """Return the host path of ``socket_path`` inside ``container``."""
    output = subprocess.check_output(
        ['docker', 'inspect', '--type', 'container', container])
    mounts = json.loads(output)[0].get('Mounts', [])
    directory, name = os.path.split(socket_path.rstrip('/'))
    for mount in mounts:
        if mount.get('Destination', '').rstrip('/') == directory:
            return os.path.join(mount['Source'], name)
    raise LookupError('no volume of container %s holds %s'
                      % (container, directory))


def send(path, command):
    """Send one runtime API command and return HAProxy's answer."""
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


def load_marks(path=MARKS_FILE):
    """Return the servers recorded as taken out of service by the plugin."""
    try:
        with open(path) as stream:
            return json.load(stream)
    except (OSError, ValueError):
        return []


def save_marks(marks, path=MARKS_FILE):
    """Write the record atomically."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = path + '.tmp'
    with open(temporary, 'w') as stream:
        json.dump(sorted(set(marks)), stream)
    os.replace(temporary, path)


def update_marks(add=(), remove=(), path=MARKS_FILE):
    """Add and remove ``backend/server`` names; return the new record."""
    marks = [m for m in load_marks(path) if m not in set(remove)]
    marks.extend(add)
    save_marks(marks, path)
    return sorted(set(marks))


def backends_with(config_dir, marker):
    """Return the backends of HAProxy's rendered files that use ``marker``.

    :param config_dir: kolla's node config dir of haproxy on this host
        (``/etc/kolla/haproxy``).
    """
    found = []
    services = os.path.join(config_dir, 'services.d')
    for name in sorted(os.listdir(services)) if os.path.isdir(services) \
            else ():
        if not name.endswith('.cfg'):
            continue
        backend = None
        with open(os.path.join(services, name)) as stream:
            for line in stream:
                words = line.split()
                if words and words[0] in ('backend', 'frontend', 'listen',
                                          'global', 'defaults'):
                    backend = words[1] if words[0] == 'backend' else None
                elif backend and marker in line and backend not in found:
                    found.append(backend)
    return found


def handle(request, locate=socket_on_host, marks_file=MARKS_FILE):
    """Carry out one request; return the JSON-able result.

    :param locate: finds the socket on the host from the container name and
        the path inside it.
    :param marks_file: where the record of servers out of service is kept.
    """
    result = {'failed': False}
    marks = request.get('marks') or {}
    if marks.get('add'):
        result['marks'] = update_marks(add=marks['add'], path=marks_file)
    try:
        path = locate(request['container'], request['socket_path'])
    except (OSError, LookupError, ValueError,
            subprocess.CalledProcessError) as exc:
        result.update(failed=True, msg='HAProxy socket not found: %s' % exc)
        return result
    result['socket'] = path
    responses = []
    for command in request.get('commands') or ():
        try:
            responses.append(send(path, command))
        except OSError as exc:
            result.update(failed=True,
                          msg='cannot talk to %s: %s' % (path, exc))
            break
    result['responses'] = responses
    if marks.get('remove') and not result['failed']:
        result['marks'] = update_marks(remove=marks['remove'],
                                       path=marks_file)
    if marks.get('read'):
        result['marks'] = load_marks(marks_file)
    if request.get('hold_config_dir'):
        result['holding_backends'] = backends_with(
            request['hold_config_dir'], request.get('hold_marker', ''))
    return result


def main(argv):
    """Entry point on the loadbalancer host."""
    request = json.loads(base64.b64decode(argv[1]))
    sys.stdout.write(json.dumps(handle(request)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
