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
"""A bounded asyncio HTTP/1.1 client for the bench, loopback only.

:func:`run_load` sends requests open-loop: request *i* leaves at
``t0 + i / rate`` whatever happened to the others, so a held request never
slows the schedule. :func:`hold_idle` opens many requests at once and keeps
them waiting, to measure what each held request costs HAProxy.
"""

import asyncio
import dataclasses
import ipaddress
import logging
import time
import typing

LOG = logging.getLogger(__name__)

MAX_RATE = 500
MAX_DURATION = 120.0
MAX_OUTSTANDING = 5000
SLOW_MS = 1000
POST_BODY = b'x' * 1024


@dataclasses.dataclass
class Result:
    """What happened to one request; times are seconds from the run's t0."""

    kind: str
    start: float
    latency: float = 0.0
    status: int = 0
    retry_after: typing.Optional[str] = None
    error: typing.Optional[str] = None

    @property
    def end(self):
        """Return when the answer (or the failure) came."""
        return self.start + self.latency


def check_loopback(host):
    """Refuse any address outside 127.0.0.0/8."""
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError('the bench only talks to loopback, not %s' % host)


def request_bytes(method, path, body=b''):
    """Return an HTTP/1.1 request that closes its connection."""
    head = ('%s %s HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n'
            'Content-Length: %d\r\n\r\n' % (method, path, len(body)))
    return head.encode() + body


async def read_response(reader):
    """Read one response; return ``(status, retry_after)``."""
    head = await reader.readuntil(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    status = int(lines[0].split(' ', 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(':')
        headers[name.strip().lower()] = value.strip()
    length = headers.get('content-length')
    if length is not None:
        await reader.readexactly(int(length))
    else:
        await reader.read()
    return status, headers.get('retry-after')


def _error_kind(exc):
    if isinstance(exc, ConnectionRefusedError):
        return 'refused'
    if isinstance(exc, asyncio.TimeoutError):
        return 'timeout'
    return 'reset'


async def send(address, kind, payload, start, clock, timeout):
    """Send one request and return its :class:`Result`."""
    result = Result(kind=kind, start=start)
    writer = None
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(*address)
            writer.write(payload)
            await writer.drain()
            result.status, result.retry_after = await read_response(reader)
    except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError,
            asyncio.LimitOverrunError, ValueError, IndexError) as exc:
        result.error = _error_kind(exc)
    finally:
        result.latency = clock() - start
        if writer is not None:
            writer.close()
    return result


def request_of(index):
    """Return ``(kind, payload)`` of the index-th request of the mix.

    One in ten is slow (``SLOW_MS``) to have requests in flight when a
    server stops, one in ten is a POST with a 1 KiB body, the rest are
    quick GETs. Slow requests and POSTs alternate between odd and even
    indexes so that roundrobin spreads them over two servers.
    """
    if index % 20 in (0, 11):
        return 'slow', request_bytes('GET', '/?ms=%d' % SLOW_MS)
    if index % 20 in (5, 16):
        return 'post', request_bytes('POST', '/', POST_BODY)
    return 'get', request_bytes('GET', '/?ms=5')


async def run_load(address, rate, duration, timeout, t0):
    """Send ``rate`` requests a second for ``duration`` seconds.

    :param t0: the ``time.monotonic()`` the returned times count from.
    :returns: the list of :class:`Result`, in sending order.
    """
    check_loopback(address[0])
    rate = min(rate, MAX_RATE)
    duration = min(duration, MAX_DURATION)

    def clock():
        return time.monotonic() - t0

    tasks, skipped, outstanding = [], 0, set()
    begin = clock()
    for index in range(int(rate * duration)):
        await asyncio.sleep(max(0.0, begin + index / rate - clock()))
        if len(outstanding) >= MAX_OUTSTANDING:
            skipped += 1
            continue
        kind, payload = request_of(index)
        task = asyncio.create_task(
            send(address, kind, payload, clock(), clock, timeout))
        outstanding.add(task)
        task.add_done_callback(outstanding.discard)
        tasks.append(task)
    if skipped:
        LOG.warning('%d requests skipped: too many outstanding', skipped)
    return list(await asyncio.gather(*tasks))


async def hold_idle(address, count, timeout, opened):
    """Open ``count`` GET requests at once and wait for their answers.

    :param opened: an :class:`asyncio.Event` set once every request is sent.
    :returns: the list of :class:`Result`.
    """
    check_loopback(address[0])
    t0 = time.monotonic()

    def clock():
        return time.monotonic() - t0

    payload = request_bytes('GET', '/')
    tasks = []
    for index in range(count):
        tasks.append(asyncio.create_task(
            send(address, 'idle', payload, clock(), clock, timeout)))
        if index % 100 == 99:
            await asyncio.sleep(0.01)
    opened.set()
    return list(await asyncio.gather(*tasks))
