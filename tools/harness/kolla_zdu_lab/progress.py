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
"""Progress output: every log line carries the seconds since the start."""

import logging
import sys
import time


class ElapsedFilter(logging.Filter):
    """Add ``elapsed``, the seconds since the filter was made, to records."""

    def __init__(self):
        super().__init__()
        self.start = time.monotonic()

    def filter(self, record):
        record.elapsed = time.monotonic() - self.start
        return True


def configure_logging(verbose=False, stream=None):
    """Send the lab's log lines to ``stream`` (stderr) with elapsed time.

    :param verbose: also show debug lines, such as every Ansible task.
    :returns: the handler, so a caller can remove it.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(ElapsedFilter())
    handler.setFormatter(logging.Formatter("[%(elapsed)6.1fs] %(message)s"))
    root = logging.getLogger("kolla_zdu_plugin")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    return handler


class Stopwatch(object):
    """Measure how long a step takes: ``with Stopwatch() as watch:``."""

    def __enter__(self):
        self.start = time.monotonic()
        self.seconds = None
        return self

    def __exit__(self, *exc_info):
        self.seconds = time.monotonic() - self.start
        return False
