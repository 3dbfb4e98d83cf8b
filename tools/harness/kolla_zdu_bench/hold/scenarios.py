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
"""The bench's scenarios: a restart gap, an unplanned failure, memory.

Each scenario starts its own :class:`~kolla_zdu_bench.hold.loopback.Lab`,
sends a bounded load, drives HAProxy and the backends, and returns a dict
of figures. Times are seconds from the scenario's start.
"""

import asyncio
import dataclasses
import logging
import signal
import time

from kolla_zdu_bench import figures
from kolla_zdu_bench.hold import client
from kolla_zdu_bench.hold import loopback as lab_mod

LOG = logging.getLogger(__name__)

WARM = 3.0
TAIL = 3.0
DRAIN_ALLOWANCE = 1.5
CLIENT_TIMEOUT = 60.0
BIG_POST = b'y' * (64 * 1024)
READY_TIMEOUT = 30.0


@dataclasses.dataclass
class Settings:
    """What every scenario shares."""

    port: int = 18400
    servers: int = 2
    rate: int = 100
    stop_signal: int = signal.SIGTERM


@dataclasses.dataclass
class Timeline:
    """When each step of a restart happened."""

    hold: float = 0.0
    drained_s: float = 0.0
    stopped: float = 0.0
    restarted: float = 0.0
    ready: float = 0.0
    released: float = 0.0


def new_lab(mechanism, settings):
    """Return a lab with the mechanism's lines and files installed."""
    return lab_mod.Lab(settings.port, settings.servers,
                       mechanism.backend_lines(), mechanism.extra_files)


def sleep_until(t0, moment):
    """Sleep until ``moment`` seconds after ``t0``."""
    time.sleep(max(0.0, t0 + moment - time.monotonic()))


def stop_all(lab, sig):
    """Signal every backend at once, then wait for each to exit."""
    processes = list(lab.backends.items())
    for _port, process in processes:
        process.send_signal(sig)
    for port, process in processes:
        process.wait(timeout=40)
        lab.backends.pop(port, None)


def restart_all(lab):
    """Start every backend again and wait for their readiness probes."""
    for port in lab.backend_ports:
        lab.start_backend(port)
    lab.wait(lambda: all(lab.backend_ready(p) for p in lab.backend_ports),
             'readiness', timeout=READY_TIMEOUT)


def drive_restart(lab, mechanism, gap, t0, sig, stopped_event):
    """Run hold, stop, gap, restart, readiness and release; return times."""
    def now():
        return time.monotonic() - t0

    timeline = Timeline()
    sleep_until(t0, WARM)
    timeline.hold = now()
    timeline.drained_s = mechanism.hold(lab)
    stop_all(lab, sig)
    timeline.stopped = now()
    stopped_event()
    sleep_until(t0, timeline.stopped + gap)
    timeline.restarted = now()
    restart_all(lab)
    timeline.ready = now()
    mechanism.release(lab)
    timeline.released = now()
    return timeline


async def big_post_after(address, event, t0):
    """Send one POST with a 64 KiB body once ``event`` is set."""
    await event.wait()
    await asyncio.sleep(0.5)
    start = time.monotonic() - t0
    return await client.send(
        address, 'post64k', client.request_bytes('POST', '/', BIG_POST),
        start, lambda: time.monotonic() - t0, CLIENT_TIMEOUT)


async def restart_gap(mechanism, gap, settings, scenario='gap'):
    """Measure a restart of every server with a ``gap`` seconds outage."""
    lab = new_lab(mechanism, settings)
    try:
        lab.start()
        loop = asyncio.get_running_loop()
        stopped = asyncio.Event()
        t0 = time.monotonic()
        duration = WARM + DRAIN_ALLOWANCE + gap + TAIL
        load = asyncio.create_task(client.run_load(
            lab.address, settings.rate, duration, CLIENT_TIMEOUT, t0))
        probe = asyncio.create_task(big_post_after(lab.address, stopped, t0))
        try:
            timeline = await asyncio.to_thread(
                drive_restart, lab, mechanism, gap, t0, settings.stop_signal,
                lambda: loop.call_soon_threadsafe(stopped.set))
        except Exception:
            load.cancel()
            probe.cancel()
            raise
        results, post = await load, await probe
    finally:
        lab.close()
    outcome = summarize_gap(scenario, mechanism, gap, timeline, results,
                            post)
    outcome['servers'] = settings.servers
    return outcome


def summarize_gap(scenario, mechanism, gap, timeline, results, post):
    """Return the figures of a restart-gap run."""
    window = figures.started_between(results, timeline.hold,
                                     timeline.released)
    in_flight = figures.in_flight_at(results, timeline.hold)
    quick_ends = [r.end for r in window
                  if r.kind == 'get' and figures.outcome(r) == 'ok'
                  and r.end > timeline.released - 0.5]
    return {
        'scenario': scenario, 'mechanism': mechanism.name, 'gap': gap,
        'timeline': dataclasses.asdict(timeline),
        'all': figures.figures(results),
        'held': figures.figures(window),
        'in_flight_at_hold': figures.figures(in_flight),
        'big_post': figures.outcome(post), 'big_post_s': post.latency,
        'release_lag_s': max(quick_ends, default=timeline.released)
        - timeline.released,
    }


def drive_unplanned(lab, gap, t0):
    """Kill the last backend without telling HAProxy, restart it later."""
    sleep_until(t0, WARM)
    lab.stop_backend(lab.backend_ports[-1], signal.SIGKILL)
    killed = time.monotonic() - t0
    sleep_until(t0, killed + gap)
    lab.start_backend(lab.backend_ports[-1])
    return killed


async def unplanned(mechanism, gap, settings):
    """Measure a crash of one server, with the mechanism's lines in place."""
    lab = new_lab(mechanism, settings)
    try:
        lab.start()
        t0 = time.monotonic()
        load = asyncio.create_task(client.run_load(
            lab.address, settings.rate, WARM + gap + TAIL, CLIENT_TIMEOUT,
            t0))
        try:
            killed = await asyncio.to_thread(drive_unplanned, lab, gap, t0)
        except Exception:
            load.cancel()
            raise
        results = await load
    finally:
        lab.close()
    window = figures.started_between(results, killed, killed + gap)
    return {'scenario': 'unplanned', 'mechanism': mechanism.name,
            'servers': settings.servers, 'gap': gap,
            'all': figures.figures(results),
            'held': figures.figures(window)}


def poll_until(predicate, timeout, step=0.1):
    """Wait until ``predicate()`` is true; return it, at most ``timeout``."""
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(step)
    return predicate()


def hold_without_backends(lab, mechanism):
    """Start the hold and stop every backend for good."""
    mechanism.hold(lab)
    stop_all(lab, signal.SIGKILL)


def memory_sample(lab):
    """Return HAProxy's memory figures now."""
    info = lab.info()
    return {'rss_kib': lab.rss_kib(), 'pools_bytes': lab.pools_bytes(),
            'pool_used_bytes': int(info.get('PoolUsed_bytes', 0)),
            'cpu_s': lab.cpu_seconds()}


async def memory(mechanism, held, settings, cpu_window=5.0):
    """Measure HAProxy's memory and CPU with ``held`` idle held requests."""
    lab = new_lab(mechanism, settings)
    try:
        lab.start()
        await asyncio.to_thread(hold_without_backends, lab, mechanism)
        before = memory_sample(lab)
        opened = asyncio.Event()
        holders = asyncio.create_task(client.hold_idle(
            lab.address, held, mechanism.max_hold_time + 10, opened))
        await opened.wait()
        await asyncio.to_thread(
            poll_until, lambda: lab.backend_sessions() >= held, 20.0)
        during = memory_sample(lab)
        counted = lab.backend_sessions()
        await asyncio.sleep(cpu_window)
        cpu = (lab.cpu_seconds() - during['cpu_s']) / cpu_window
        holders.cancel()
        await asyncio.gather(holders, return_exceptions=True)
    finally:
        lab.close()
    return summarize_memory(mechanism, held, counted, before, during, cpu)


def summarize_memory(mechanism, held, counted, before, during, cpu):
    """Return the figures of a memory run."""
    per = (lambda key: (during[key] - before[key]) / held if held else 0.0)
    return {'scenario': 'memory', 'mechanism': mechanism.name,
            'held': held, 'counted': counted,
            'rss_kib': during['rss_kib'], 'rss_base_kib': before['rss_kib'],
            'rss_per_request_b': per('rss_kib') * 1024,
            'pools_per_request_b': per('pools_bytes'),
            'pool_used_per_request_b': per('pool_used_bytes'),
            'cpu_percent': cpu * 100}
