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
"""The PNG timeline: latency of each request against its send time.

matplotlib is optional. :func:`require_matplotlib` is called before any
request is sent, so a missing matplotlib does not cost a run.
"""

import datetime
import io

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.probe import files
from kolla_zdu_plugin.probe import record

_FAILURE_MARKERS = {
    record.HTTP_5XX: "x",
    record.TOKEN_REJECTED: "P",
    record.CONN_REFUSED: "v",
    record.CONN_RESET: "^",
    record.TIMEOUT: "s",
    record.OTHER: "D",
}


def require_matplotlib():
    """Return matplotlib's Agg canvas and Figure classes.

    :raises ProbeError: when matplotlib is not installed.
    """
    try:
        from matplotlib.backends import backend_agg
        from matplotlib import figure
    except ImportError:
        raise exceptions.ProbeError(
            reason="--plot needs matplotlib, which is not installed. "
                   "Install it with: pip install 'kolla-zdu-plugin[plot]' "
                   "(or pip install matplotlib)")
    return backend_agg.FigureCanvasAgg, figure.Figure


def plot_timeline(report, path):
    """Draw the report's timeline into the PNG file at path."""
    canvas_class, figure_class = require_matplotlib()
    fig = figure_class(figsize=(13, 5.5), dpi=100)
    canvas_class(fig)
    axes = fig.add_subplot(1, 1, 1)
    start = report.result.started_at
    _draw_answers(axes, report.records, start)
    _draw_failures(axes, report.records, start)
    _draw_skipped(axes, report.records, start)
    _draw_marks(axes, report, start)
    axes.set_yscale("log")
    axes.set_xlabel("send time (s since %s)" % _clock(start))
    axes.set_ylabel("latency (s, log scale)")
    axes.set_title(_title(report))
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0),
                borderaxespad=0.0, fontsize="small")
    fig.tight_layout()
    output = io.BytesIO()
    fig.savefig(output, format="png")
    files.write_atomically(path, output.getvalue())


def _points(records, start, keep):
    chosen = [rec for rec in records if keep(rec)]
    return ([rec.sent - start for rec in chosen],
            [rec.latency for rec in chosen], len(chosen))


def _draw_answers(axes, records, start):
    groups = (
        ("ok", "tab:blue", lambda rec: rec.ok and not rec.slow),
        ("ok (slow path)", "tab:cyan", lambda rec: rec.ok and rec.slow),
        ("http 4xx", "tab:orange", lambda rec: rec.kind == record.HTTP_4XX),
    )
    for label, colour, keep in groups:
        xs, ys, count = _points(records, start, keep)
        if count:
            axes.scatter(xs, ys, s=4, color=colour, alpha=0.6,
                         label="%s (%d)" % (label, count))


def _draw_failures(axes, records, start):
    for kind, marker in _FAILURE_MARKERS.items():
        xs, ys, count = _points(
            records, start, lambda rec, kind=kind: rec.kind == kind)
        if count:
            axes.scatter(xs, ys, s=22, color="red", marker=marker,
                         label="%s (%d)" % (kind, count))


def _draw_skipped(axes, records, start):
    xs = [rec.scheduled - start for rec in records if rec.skipped]
    if xs:
        axes.scatter(xs, [0.02] * len(xs), s=40, color="grey", marker="|",
                     transform=axes.get_xaxis_transform(),
                     label="skipped: client overload (%d)" % len(xs))


def _draw_marks(axes, report, start):
    threshold = report.settings.hold_threshold
    axes.axhline(threshold, color="grey", linestyle="--", linewidth=0.8,
                 label="hold threshold %g s" % threshold)
    for phase in report.settings.phases:
        axes.axvline(phase.at - start, color="black", linewidth=1.0)
        axes.text(phase.at - start, 0.98, " " + phase.name, rotation=90,
                  va="top", ha="left", fontsize="small",
                  transform=axes.get_xaxis_transform())


def _title(report):
    totals = report.summary["totals"]
    return ("zdu-probe at %g/s: %d sent, %d failed (%.3f %%), %d 4xx, "
            "%d skipped" % (report.settings.rate, totals["sent"],
                            totals["failed"], totals["failed_percent"],
                            totals["http_4xx"], totals["skipped"]))


def _clock(epoch):
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
