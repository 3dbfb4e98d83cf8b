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
"""Phase marks: named instants (Unix epoch seconds) such as an upgrade start.

A phase lasts from its mark to the next mark, or to the end of the run.
"""

import collections

from kolla_zdu_plugin import exceptions

Phase = collections.namedtuple("Phase", ["name", "at"])


def parse_phase(text, option="--phase"):
    """Return the :class:`Phase` written as ``NAME=EPOCH``.

    :param text: for example ``upgrade=1718000000.5``.
    :param option: the option or file named in the error message.
    :raises ProbeError: when the text is not of that form.
    """
    name, sep, epoch = text.partition("=")
    name = name.strip()
    try:
        at = float(epoch)
    except ValueError:
        at = None
    if not sep or not name or at is None:
        raise exceptions.ProbeError(
            reason="%s expects NAME=EPOCH (Unix seconds, e.g. "
                   "upgrade=1718000000.5), got %r" % (option, text))
    return Phase(name, at)


def read_phase_file(path):
    """Return the phases listed in a file, one ``NAME=EPOCH`` per line.

    Blank lines and lines starting with ``#`` are ignored. A missing file
    means no phases, so an upgrade script may create it late.
    """
    try:
        with open(path) as phase_file:
            lines = phase_file.read().splitlines()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise exceptions.ProbeError(
            reason="cannot read --phase-file %s: %s" % (path, exc))
    return [parse_phase(line, option="--phase-file %s" % path)
            for line in lines
            if line.strip() and not line.lstrip().startswith("#")]


def sort_phases(phases):
    """Return phases in time order."""
    return sorted(phases, key=lambda phase: phase.at)
