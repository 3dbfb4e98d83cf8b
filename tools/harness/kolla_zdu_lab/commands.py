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
"""Run the lab's external commands, with bounded time and a log file."""

import collections
import logging
import os
import subprocess
import threading

from kolla_zdu_lab import errors

LOG = logging.getLogger(__name__)
TAIL_LINES = 25


def run(argv, input_bytes=None, timeout=600, env=None, check=True):
    """Run ``argv`` and return its stdout as text.

    :raises LabError: if the command is missing, fails (with ``check``) or
        runs longer than ``timeout`` seconds.
    """
    LOG.debug("running %s", " ".join(argv))
    try:
        proc = subprocess.run(argv, input=input_bytes, capture_output=True,
                              timeout=timeout, env=env)
    except FileNotFoundError:
        raise errors.LabError(
            reason="%s is not installed or not on PATH" % argv[0])
    except subprocess.TimeoutExpired:
        raise errors.LabError(
            reason="`%s` did not finish within %d s"
                   % (" ".join(argv[:4]), timeout))
    if check and proc.returncode != 0:
        raise errors.LabError(
            reason="`%s` exited %d: %s"
                   % (" ".join(argv[:6]), proc.returncode,
                      proc.stderr.decode(errors="replace").strip()[-2000:]))
    return proc.stdout.decode(errors="replace")


def run_logged(argv, log_path, on_line=None, timeout=1800, env=None,
               stdin=None, what=None):
    """Run ``argv`` with its output in ``log_path``, line by line.

    :param on_line: called with each output line, for progress output.
    :param stdin: a file object or pipe to read the command's input from.
    :param what: how error messages name the command.
    :raises LabError: if the command fails or outlives ``timeout`` seconds;
        the message quotes the last lines of output and names the log.
    """
    what = what or "`%s`" % " ".join(argv[:4])
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    LOG.debug("running %s (log: %s)", " ".join(argv), log_path)
    tail = collections.deque(maxlen=TAIL_LINES)
    with open(log_path, "a") as log:
        try:
            proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, stdin=stdin,
                                    env=env, text=True, errors="replace")
        except FileNotFoundError:
            raise errors.LabError(
                reason="%s is not installed or not on PATH" % argv[0])
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            for line in proc.stdout:
                log.write(line)
                tail.append(line.rstrip())
                if on_line:
                    on_line(line.rstrip())
            returncode = proc.wait()
        finally:
            expired = not timer.is_alive()
            timer.cancel()
    if returncode != 0:
        reason = ("did not finish within %d s" % timeout if expired
                  else "exited %d" % returncode)
        raise errors.LabError(
            reason="%s %s. Last lines:\n%s\nFull output: %s"
                   % (what, reason, "\n".join(tail), log_path))
