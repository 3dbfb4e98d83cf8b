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
"""Stopping a probe on a signal, in this process."""

import os
import signal
import threading

from oslotest import base

from kolla_zdu_plugin.probe import signals


class TestRunUntilSignalled(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        if threading.current_thread() is not threading.main_thread():
            self.skipTest("signal handlers need the main thread")

    def test_signal_sets_the_stop_event(self):
        stop = threading.Event()
        previous = signal.getsignal(signal.SIGTERM)
        timer = threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGTERM))
        self.addCleanup(timer.cancel)
        timer.start()
        result = signals.run_until_signalled(
            lambda: stop.wait(5.0) and "stopped", stop)
        self.assertEqual("stopped", result)
        self.assertIs(previous, signal.getsignal(signal.SIGTERM))

    def test_exception_is_raised_in_the_caller(self):
        def fail():
            raise ValueError("boom")

        self.assertRaises(ValueError, signals.run_until_signalled, fail,
                          threading.Event())
