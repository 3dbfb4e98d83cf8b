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
"""A tiny HTTP/1.1 backend that plays a service container in the bench.

Run as ``python -m kolla_zdu_bench.hold.backend --port PORT``. It listens
on loopback only, with ``SO_REUSEADDR`` so a restart can bind again at once.

* ``GET /healthcheck`` answers 200, or 503 during ``--warmup`` seconds.
* Any other path answers 200 with ``ok``; ``?ms=N`` waits N ms first.
* Request bodies (``Content-Length``) are read and counted.

SIGTERM stops it gracefully, like ``docker stop`` on a well-behaved
service: the listening socket closes, idle keep-alive connections close,
requests in progress finish (at most ``GRACE`` seconds). SIGKILL plays a
crash.
"""

import argparse
import asyncio
import http
import signal
import time
import urllib.parse

HOST = '127.0.0.1'
GRACE = 30.0
MAX_DELAY_MS = 60000


class Backend(object):
    """The HTTP server and its graceful stop."""

    def __init__(self, warmup):
        self.ready_at = time.monotonic() + warmup
        self.stopping = asyncio.Event()
        self.idle = set()
        self.busy = 0

    async def handle(self, reader, writer):
        """Serve the requests of one connection until it closes."""
        try:
            while not self.stopping.is_set():
                self.idle.add(writer)
                head = await reader.readuntil(b'\r\n\r\n')
                self.idle.discard(writer)
                self.busy += 1
                try:
                    keep = await self.answer(head, reader, writer)
                finally:
                    self.busy -= 1
                if not keep:
                    break
        except (asyncio.IncompleteReadError, ConnectionError,
                asyncio.LimitOverrunError, asyncio.CancelledError):
            pass
        finally:
            self.idle.discard(writer)
            writer.close()

    async def answer(self, head, reader, writer):
        """Answer one request; return whether the connection stays open."""
        lines = head.decode('latin-1').split('\r\n')
        method, target, _version = lines[0].split(' ', 2)
        headers = dict(_header(line) for line in lines[1:] if ':' in line)
        length = int(headers.get('content-length', '0'))
        if length:
            await reader.readexactly(length)
        url = urllib.parse.urlsplit(target)
        status, body = await self.respond(url, method)
        keep = (headers.get('connection', '').lower() != 'close'
                and not self.stopping.is_set())
        writer.write(b'HTTP/1.1 %d %s\r\nContent-Length: %d\r\n%s\r\n%s' % (
            status, http.HTTPStatus(status).phrase.encode(), len(body),
            b'' if keep else b'Connection: close\r\n', body))
        await writer.drain()
        return keep

    async def respond(self, url, method):
        """Return the status and body of a request."""
        if url.path == '/healthcheck':
            ready = time.monotonic() >= self.ready_at
            return (200, b'OK\n') if ready else (503, b'warming up\n')
        query = urllib.parse.parse_qs(url.query)
        delay = min(int(query.get('ms', ['0'])[0]), MAX_DELAY_MS)
        if delay:
            await asyncio.sleep(delay / 1000.0)
        return 200, ('ok %s\n' % method).encode()

    async def stop(self, server):
        """Stop accepting, close idle connections, let busy ones finish."""
        self.stopping.set()
        server.close()
        for writer in list(self.idle):
            writer.close()
        deadline = time.monotonic() + GRACE
        while self.busy and time.monotonic() < deadline:
            await asyncio.sleep(0.05)


def _header(line):
    name, _, value = line.partition(':')
    return name.strip().lower(), value.strip()


async def serve(port, warmup):
    """Serve on ``127.0.0.1:port`` until SIGTERM."""
    backend = Backend(warmup)
    server = await asyncio.start_server(backend.handle, HOST, port,
                                        reuse_address=True, backlog=1024)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await backend.stop(server)


def main(argv=None):
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--warmup', type=float, default=0.0,
                        help='seconds during which /healthcheck says 503')
    args = parser.parse_args(argv)
    asyncio.run(serve(args.port, args.warmup))


if __name__ == '__main__':
    main()
