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
"""The probe report: settings, every request record and the summary.

The JSON file holds the summary for people and tools to read, and the
records in a compact table (``fields`` and ``rows``). Loading a report
recomputes the summary from the records, so a report can be re-analysed,
for example with phase marks known only after the run
(:meth:`Report.with_phases`).
"""

import dataclasses
import functools
import json

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.probe import analysis
from kolla_zdu_plugin.probe import files
from kolla_zdu_plugin.probe import load
from kolla_zdu_plugin.probe import phases as phases_mod
from kolla_zdu_plugin.probe import record
from kolla_zdu_plugin.probe import settings as settings_mod

FORMAT = "kolla-zdu-probe-report/1"
REDACTED = "***"
_ROWS_PLACEHOLDER = "@@records@@"


class Report:
    """The outcome of one probe run."""

    def __init__(self, settings, result):
        """Build a report from ProbeSettings and a LoadResult."""
        self.settings = settings
        self.result = result

    @property
    def records(self):
        """Every request of the run, in schedule order."""
        return self.result.records

    @functools.cached_property
    def summary(self):
        """The figures of the run; see :mod:`analysis` for the rules."""
        return analysis.summarise(self.settings, self.result)

    def with_phases(self, phases):
        """Return the same run analysed with other phase marks."""
        settings = dataclasses.replace(
            self.settings, phases=phases_mod.sort_phases(phases))
        return Report(settings, self.result)

    def to_dict(self):
        """Return the report as a JSON-ready dict, without the password."""
        settings = dataclasses.asdict(self.settings)
        settings["phases"] = [phase._asdict()
                              for phase in self.settings.phases]
        if settings["os_password"] is not None:
            settings["os_password"] = REDACTED
        return {
            "format": FORMAT,
            "settings": settings,
            "run": {
                "started_at": self.result.started_at,
                "stopped_at": self.result.stopped_at,
                "finished_at": self.result.finished_at,
                "stop_reason": self.result.stop_reason,
            },
            "summary": self.summary,
            "records": {
                "fields": list(record.FIELDS),
                "rows": [record.record_to_row(rec) for rec in self.records],
            },
        }

    @classmethod
    def from_dict(cls, data):
        """Return the report :meth:`to_dict` produced."""
        if data.get("format") != FORMAT:
            raise exceptions.ProbeError(
                reason="not a probe report (format %r, expected %r)"
                       % (data.get("format"), FORMAT))
        settings = dict(data["settings"])
        settings["phases"] = [phases_mod.Phase(**phase)
                              for phase in settings["phases"]]
        fields = data["records"]["fields"]
        records = [record.RequestRecord(**dict(zip(fields, row)))
                   for row in data["records"]["rows"]]
        return cls(settings_mod.ProbeSettings(**settings),
                   load.LoadResult(records=records, **data["run"]))

    def write(self, path):
        """Write the report as JSON to path, atomically."""
        files.write_atomically(path, dumps(self.to_dict()).encode("utf-8"))


def dumps(data):
    """Return a report dict as indented JSON with one line per record."""
    records = dict(data["records"], rows=_ROWS_PLACEHOLDER)
    text = json.dumps(dict(data, records=records), indent=1)
    rows = ",\n".join(json.dumps(row) for row in data["records"]["rows"])
    head, _, tail = text.rpartition(json.dumps(_ROWS_PLACEHOLDER))
    return "%s[\n%s\n]%s" % (head, rows, tail)


def load_report(path):
    """Return the :class:`Report` stored in the JSON file at path."""
    try:
        with open(path, encoding="utf-8") as report_file:
            data = json.load(report_file)
    except (OSError, ValueError) as exc:
        raise exceptions.ProbeError(
            reason="cannot read report %s: %s" % (path, exc))
    return Report.from_dict(data)
