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
"""The record of a zero-downtime run and its closing summary.

The ``zdu_haproxy`` action appends one JSON line per operation to the run's
``events.jsonl`` on the deployment host; the summary reads them back.
"""

import collections
import json
import os
import time

EVENTS_FILE = 'events.jsonl'
SUMMARY_FILE = 'summary.txt'


def append_event(path, **event):
    """Append one event, stamped with the wall clock, to ``path``."""
    event.setdefault('time', time.time())
    with open(path, 'a') as stream:
        stream.write(json.dumps(event, sort_keys=True) + '\n')


def read_events(path):
    """Return the events of ``path``; none when the file does not exist."""
    if not os.path.exists(path):
        return []
    with open(path) as stream:
        return [json.loads(line) for line in stream if line.strip()]


def _service_of(server_name, backends):
    backend = server_name.split('/', 1)[0]
    return backends.get(backend, backend)


def summarize(events, plan):
    """Return the per-service summary lines of a run.

    :param events: what :func:`read_events` returned.
    :param plan: the run's plan as a dict (``plan.json``).
    """
    backends = {}
    strategies = {}
    for service in plan.get('services', ()):
        strategies[service['service']] = service['strategy']
        steps = [step for batch in service.get('batches', ())
                 for step in batch['steps']]
        for step in steps:
            for server in step.get('servers', ()):
                backends.setdefault(server.split('/', 1)[0],
                                    service['service'])
    per_service = collections.OrderedDict()
    for event in events:
        names = event.get('servers') or ()
        if not names:
            continue
        service = _service_of(names[0], backends)
        entry = per_service.setdefault(
            service, {'start': event['time'], 'end': event['time'],
                      'drain': 0.0, 'waits': 0})
        entry['end'] = event['time']
        if event.get('operation') == 'wait_drained':
            entry['drain'] = max(entry['drain'], event.get('waited', 0.0))
            entry['waits'] += 1
    lines = ['%-24s %-22s %10s %16s' % ('service', 'strategy', 'duration',
                                        'longest drain')]
    for service, entry in per_service.items():
        lines.append('%-24s %-22s %9.1fs %15.1fs' % (
            service, strategies.get(service, '?'),
            entry['end'] - entry['start'], entry['drain']))
    return lines
