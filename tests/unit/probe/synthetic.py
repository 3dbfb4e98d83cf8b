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
"""Synthetic request records for the report tests, one per character."""

from kolla_zdu_plugin.probe import load
from kolla_zdu_plugin.probe import record
from kolla_zdu_plugin.probe import settings as settings_mod

START = 1700000000.0
URL = "http://192.0.2.10:5000/v3"

_KINDS = {
    ".": (None, 200),
    "S": (None, 200),
    "4": (record.HTTP_4XX, 404),
    "5": (record.HTTP_5XX, 503),
    "r": (record.CONN_REFUSED, None),
    "c": (record.CONN_RESET, None),
    "t": (record.TIMEOUT, None),
    "o": (record.OTHER, None),
    "s": (record.CLIENT_OVERLOAD, None),
    "R": (record.TOKEN_REJECTED, 404),
}
_OPERATIONS = {"i": record.ISSUE, "v": record.VALIDATE,
               "l": record.HEAT_STACK_LIST, "p": record.HEAT_VALIDATE,
               "c": record.CFN_LIST_STACKS}


def records(pattern, step=0.1, latencies=None, operations=None):
    """Return records scheduled every step seconds from START.

    ``.`` ok, ``S`` ok on the slow path, ``4`` 404, ``5`` 503,
    ``r`` refused, ``c`` reset, ``t`` timeout, ``o`` other, ``s`` skipped,
    ``R`` token rejected (404 to a validation).

    :param operations: one character per record, ``i`` issue or ``v``
        validate, for a keystone-mode run, and in the heat mode also ``l``
        heat-stack-list, ``p`` heat-validate or ``c`` cfn-list-stacks.
    """
    made = []
    for index, char in enumerate(pattern):
        kind, status = _KINDS[char]
        scheduled = START + index * step
        latency = latencies[index] if latencies else 0.01
        sent = None if char == "s" else scheduled
        made.append(record.RequestRecord(
            index=index, url=URL,
            mode=record.KEEPALIVE if index % 2 else record.FRESH,
            slow=char == "S", scheduled=scheduled, sent=sent,
            latency=None if sent is None else latency, status=status,
            kind=kind,
            operation=_OPERATIONS[operations[index]] if operations else None))
    return made


def result(recs, step=0.1):
    """Return a LoadResult for recs, as a run stopped at its duration."""
    stopped = START + len(recs) * step
    return load.LoadResult(recs, START, stopped, stopped + 0.5,
                           load.STOPPED_AT_DURATION)


def settings(**overrides):
    """Return ProbeSettings for the synthetic runs."""
    values = dict(urls=[URL], rate=10.0, duration=10.0)
    values.update(overrides)
    return settings_mod.ProbeSettings(**values)
