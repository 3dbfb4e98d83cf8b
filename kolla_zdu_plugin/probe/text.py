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
"""Reports as text: one run's summary, or several runs side by side."""

from kolla_zdu_plugin.probe import record

_PERIODS = ("overall", "steady", "during")
_OPERATION_WIDTH = 14


def format_summary(report):
    """Return a short human-readable summary of a report."""
    summary = report.summary
    run = report.result
    totals = summary["totals"]
    sender = summary["sender"]
    lines = [
        "zdu-probe: %d requests scheduled at %g/s to %s over %.1f s "
        "(stopped: %s)" % (totals["scheduled"], report.settings.rate,
                           _target(report.settings),
                           run.stopped_at - run.started_at, run.stop_reason),
        "  sent %(sent)d  ok %(ok)d  failed %(failed)d "
        "(%(failed_percent).3f %%)  4xx %(http_4xx)d  "
        "skipped (client overload) %(skipped)d" % totals,
        "  failures by kind: %s" % _kinds(totals["failures_by_kind"]),
    ]
    lines += _latency_lines(summary)
    lines += _operation_lines(summary.get("by_operation", {}))
    held = summary["held"]
    lines.append("  held > %g s (plain requests): %d (%d ok, %d failed, "
                 "max %s)" % (held["threshold"], held["count"], held["ok"],
                              held["failed"], _ms(held["max"])))
    lines += _window_lines(summary["failure_windows"], run.started_at)
    lines.append(
        "  sender: %s/s achieved of %g/s requested; send lag p50 %s, "
        "p99 %s, max %s" % (_number(sender["achieved_rate"]),
                            sender["requested_rate"],
                            *_triple(sender["send_lag"])))
    lines += _phase_lines(summary["phases"], run.started_at)
    return "\n".join(lines)


def format_comparison(reports, labels=None):
    """Return a text table of two or more reports side by side.

    :param reports: :class:`Report` objects, e.g. baseline and zero-downtime.
    :param labels: column titles; default ``run 1``, ``run 2``...
    """
    labels = labels or ["run %d" % (i + 1) for i in range(len(reports))]
    summaries = [report.summary for report in reports]
    kinds = sorted({kind for summary in summaries
                    for kind in summary["totals"]["failures_by_kind"]})
    operations = [operation for operation in record.OPERATIONS
                  if any(operation in summary.get("by_operation", {})
                         for summary in summaries)]
    rows = [("metric", labels)]
    for name, value in _comparison_metrics(kinds, operations):
        rows.append((name, [_cell(value(summary)) for summary in summaries]))
    width = max(len(name) for name, _ in rows)
    cell_widths = [max(len(cells[i]) for _, cells in rows)
                   for i in range(len(reports))]
    return "\n".join(
        "%-*s  %s" % (width, name, "  ".join(
            cell.rjust(cell_width)
            for cell, cell_width in zip(cells, cell_widths)))
        for name, cells in rows)


def _comparison_metrics(kinds, operations):
    metrics = [
        ("sent", lambda s: s["totals"]["sent"]),
        ("ok", lambda s: s["totals"]["ok"]),
        ("failed", lambda s: s["totals"]["failed"]),
        ("failed %", lambda s: s["totals"]["failed_percent"]),
        ("http 4xx", lambda s: s["totals"]["http_4xx"]),
        ("skipped", lambda s: s["totals"]["skipped"]),
    ]
    metrics += [("  %s" % kind, _kind_getter(kind)) for kind in kinds]
    for operation in operations:
        metrics += [
            ("%s sent" % operation, _operation_getter(operation, "sent")),
            ("%s failed" % operation, _operation_getter(operation, "failed")),
            ("%s latency p99" % operation, _operation_p99(operation)),
        ]
    metrics += [
        ("longest failing stretch s",
         lambda s: _seconds(s["failure_windows"]["longest_failing_stretch"])),
        ("longest failure cluster s",
         lambda s: _seconds(s["failure_windows"]["longest_cluster"])),
        ("held requests", lambda s: s["held"]["count"]),
    ]
    for period in _PERIODS:
        for figure in ("p50", "p99", "max"):
            metrics.append(("latency %s %s" % (period, figure),
                            _latency_getter(period, figure)))
    metrics.append(("achieved rate /s",
                    lambda s: s["sender"]["achieved_rate"]))
    return metrics


def _kind_getter(kind):
    return lambda s: s["totals"]["failures_by_kind"].get(kind, 0)


def _operation_getter(operation, count):
    return lambda s: s.get("by_operation", {}).get(operation, {}).get(count)


def _operation_p99(operation):
    def getter(summary):
        figures = summary.get("by_operation", {}).get(operation)
        overall = figures["latency"]["overall"] if figures else None
        return _ms(overall["p99"]) if overall else None
    return getter


def _latency_getter(period, figure):
    def getter(summary):
        figures = summary["latency"]["plain"][period]
        return _ms(figures[figure]) if figures else None
    return getter


def _seconds(window):
    return window["seconds"] if window else 0


def _cell(value):
    if value is None:
        return "-"
    return value if isinstance(value, str) else _number(value)


def _number(value):
    if value is None:
        return "-"
    return "%d" % value if isinstance(value, int) else "%.3f" % value


def _kinds(by_kind):
    if not by_kind:
        return "none"
    ordered = [kind for kind in record.FAILURE_KINDS if kind in by_kind]
    return ", ".join("%s %d" % (kind, by_kind[kind]) for kind in ordered)


def _ms(seconds):
    return "-" if seconds is None else "%.1f ms" % (seconds * 1000.0)


def _triple(figures):
    if not figures:
        return "-", "-", "-"
    return _ms(figures["p50"]), _ms(figures["p99"]), _ms(figures["max"])


def _latency_lines(summary):
    steady = summary["periods"]["steady"]["basis"]
    lines = ["  latency of answered requests     count       p50       p99"
             "       max"]
    for group in ("plain", "slow"):
        for period in _PERIODS:
            figures = summary["latency"][group][period]
            if group == "slow" and not figures:
                continue
            title = "%s %s" % (group, period)
            count = figures["count"] if figures else 0
            lines.append("    %-28s %6d %9s %9s %9s"
                         % (title, count, *_triple(figures)))
    lines.append("    steady = %s" % steady)
    return lines


def _target(settings):
    if settings.heat_mode:
        return "heat via Keystone %s (%s)" % (
            settings.keystone or "of cloud %s" % settings.os_cloud,
            settings.describe_heat_shares())
    if settings.keystone_mode:
        return "Keystone %s (validate share %g)" % (
            settings.keystone or "of cloud %s" % settings.os_cloud,
            settings.keystone_validate_share)
    return "%d URL(s)" % len(settings.urls)


def _operation_lines(by_operation):
    if not by_operation:
        return []
    width = max([_OPERATION_WIDTH] + [len(name) for name in by_operation])
    lines = ["  %-*s    sent      ok  failed     4xx       p50       p99"
             "       max" % (width + 2, "by operation")]
    for operation, figures in by_operation.items():
        lines.append("    %-*s %7d %7d %7d %7d %9s %9s %9s"
                     % (width, operation, figures["sent"], figures["ok"],
                        figures["failed"], figures["http_4xx"],
                        *_triple(figures["latency"]["overall"])))
    for operation, figures in by_operation.items():
        if figures["failures_by_kind"]:
            lines.append("    %s failures by kind: %s"
                         % (operation, _kinds(figures["failures_by_kind"])))
    return lines


def _window_lines(windows, started_at):
    cluster = windows["longest_cluster"]
    stretch = windows["longest_failing_stretch"]
    if cluster is None:
        return ["  failure windows: none"]
    return [
        "  longest failure cluster: %.3f s from t+%.3f s (%d failures in %d "
        "requests; clusters split at gaps > %g s; %d cluster(s))"
        % (cluster["seconds"], cluster["start"] - started_at,
           cluster["failures"], cluster["requests"], windows["cluster_gap"],
           windows["cluster_count"]),
        "  longest failing stretch: %.3f s from t+%.3f s (%d consecutive "
        "failures, %s)"
        % (stretch["seconds"], stretch["start"] - started_at,
           stretch["failures"],
           "then a success" if stretch["recovered"] else "until the end"),
    ]


def _phase_lines(phases, started_at):
    lines = ["  phase                  start (s)    sent      ok  failed     "
             "4xx skipped"] if phases else []
    for phase in phases:
        lines.append("    %-22s %+9.1f %7d %7d %7d %7d %7d"
                     % (phase["name"][:22], phase["start"] - started_at,
                        phase["sent"], phase["ok"], phase["failed"],
                        phase["http_4xx"], phase["skipped"]))
    return lines
