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
"""Stop a probe cleanly on SIGTERM or SIGINT instead of dying.

The probe runs in a thread while the main thread waits and handles the
signals. The handler only sets the stop event, once: it never runs while
the main thread holds that event's lock, so it cannot deadlock.
"""

import logging
import signal
import threading

LOG = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_POLL_SECONDS = 0.2


def run_until_signalled(function, stop, signals=STOP_SIGNALS):
    """Call function() in a thread; the signals set stop meanwhile.

    Must be called from the main thread. The previous handlers are put back
    afterwards.

    :returns: what function returned.
    :raises: what function raised.
    """
    outcome = {}
    received = []

    def call():
        try:
            outcome["result"] = function()
        except BaseException as exc:
            outcome["error"] = exc

    def handler(signum, frame):
        if not received:
            received.append(signum)
            stop.set()

    previous = {signum: signal.signal(signum, handler) for signum in signals}
    try:
        worker = threading.Thread(target=call, name="zdu-probe-run")
        worker.start()
        _wait(worker, received)
    finally:
        for signum, old_handler in previous.items():
            signal.signal(signum, old_handler)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def _wait(worker, received):
    announced = False
    while worker.is_alive():
        worker.join(_POLL_SECONDS)
        if received and not announced:
            announced = True
            LOG.info("received %s: stopping, waiting for requests in flight",
                     signal.Signals(received[0]).name)
