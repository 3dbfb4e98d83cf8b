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
"""Output files of the probe: checked before the run, written atomically."""

import os
import tempfile

from kolla_zdu_plugin import exceptions


def check_writable(path, option):
    """Raise :class:`ProbeError` unless path can be written.

    Called before any request is sent, so a typo in an output path does not
    cost a whole run.
    """
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise exceptions.ProbeError(
            reason="%s %s is a directory, not a file" % (option, path))
    if not os.path.isdir(directory):
        raise exceptions.ProbeError(
            reason="%s %s: directory %s does not exist"
                   % (option, path, directory))
    if not os.access(directory, os.W_OK):
        raise exceptions.ProbeError(
            reason="%s %s: directory %s is not writable"
                   % (option, path, directory))


def write_atomically(path, data):
    """Write bytes to path through a temporary file and a rename."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(
        dir=directory, prefix=".%s." % os.path.basename(path))
    try:
        with os.fdopen(handle, "wb") as output:
            output.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
