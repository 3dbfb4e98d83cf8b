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
"""A pool of daemon threads that grows on demand up to a fixed size.

Unlike ``concurrent.futures.ThreadPoolExecutor``, its threads are daemons:
a request stuck past every deadline cannot keep the process from exiting.
"""

import queue
import threading


class WorkerPool:
    """Run submitted callables on at most ``size`` daemon threads."""

    def __init__(self, size, name="zdu-probe-worker"):
        self._size = size
        self._name = name
        self._jobs = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0

    def submit(self, job):
        """Queue job; start a thread if none is idle and the pool may grow."""
        with self._lock:
            if self._idle:
                self._idle -= 1
                start = False
            else:
                start = self._threads < self._size
                self._threads += start
        self._jobs.put(job)
        if start:
            threading.Thread(target=self._work, daemon=True,
                             name="%s-%d" % (self._name, self._threads)
                             ).start()

    def shutdown(self):
        """Let every thread exit once the jobs queued so far are done."""
        with self._lock:
            threads = self._threads
        for _ in range(threads):
            self._jobs.put(None)

    def _work(self):
        while True:
            job = self._jobs.get()
            if job is None:
                return
            job()
            with self._lock:
                self._idle += 1
