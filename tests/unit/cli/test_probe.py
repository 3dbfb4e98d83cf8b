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
"""``kolla-ansible zdu-probe``: argument checks, a run, and SIGTERM."""

import argparse
import io
import json
import os
import signal
import subprocess
import sys
import time
from unittest import mock

import fixtures
from oslotest import base

from kolla_zdu_plugin.cli import probe as probe_cli
from kolla_zdu_plugin import exceptions
from tests.unit.probe import loopback


class _FakeApp:
    def __init__(self, verbose_level=1):
        self.stdout = io.StringIO()
        self.stderr = io.StringIO()
        self.options = argparse.Namespace(verbose_level=verbose_level)


class _ProbeCommandTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.server = self.useFixture(loopback.LoopbackServer())
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.report = os.path.join(self.tmp, "probe.json")
        self.app = _FakeApp()
        self.command = probe_cli.Probe(self.app, None)

    def parse(self, *argv):
        parser = self.command.get_parser("kolla-ansible zdu-probe")
        return parser.parse_args(list(argv))

    def args(self, *extra, url=None):
        return ["--url", url or self.server.url(), "--report", self.report,
                *extra]

    def run_command(self, *argv):
        return self.command.take_action(self.parse(*argv))


class TestArguments(_ProbeCommandTest):

    def assertUsageError(self, argv, *expected):
        stderr = self.useFixture(
            fixtures.MonkeyPatch("sys.stderr", io.StringIO())).new_value
        exc = self.assertRaises(SystemExit, self.parse, *argv)
        self.assertEqual(2, exc.code)
        for text in expected:
            self.assertIn(text, stderr.getvalue())

    def test_duration_or_until_signal_is_required(self):
        self.assertUsageError(self.args("--rate", "10"),
                              "--duration", "--until-signal")

    def test_duration_and_until_signal_exclude_each_other(self):
        self.assertUsageError(
            self.args("--rate", "10", "--duration", "1", "--until-signal"),
            "--until-signal", "not allowed")

    def test_report_is_required(self):
        self.assertUsageError(["--url", self.server.url(), "--rate", "1",
                               "--duration", "1"], "--report")

    def test_rate_must_be_a_number(self):
        self.assertUsageError(self.args("--rate", "fast", "--duration", "1"),
                              "--rate")

    def test_defaults_follow_the_settings(self):
        parsed = self.parse(*self.args("--rate", "5", "--until-signal"))
        settings = probe_cli.settings_from_args(parsed)
        self.assertIsNone(settings.duration)
        self.assertEqual(3600.0, settings.max_duration)
        self.assertEqual(probe_cli.DEFAULTS.timeout, settings.timeout)
        self.assertEqual([self.server.url()], settings.urls)


class TestChecksBeforeTraffic(_ProbeCommandTest):

    def assertRefused(self, argv, *expected):
        exc = self.assertRaises(exceptions.ProbeError, self.run_command,
                                *argv)
        for text in expected:
            self.assertIn(text, str(exc))
        self.assertEqual(0, self.server.requests)
        self.assertFalse(os.path.exists(self.report))

    def test_bad_url_scheme(self):
        url = self.server.url().replace("http:", "ftp:")
        self.assertRefused(self.args("--rate", "10", "--duration", "1",
                                     url=url), "--url", url)

    def test_url_without_host(self):
        self.assertRefused(self.args("--rate", "10", "--duration", "1",
                                     url="http:///v3"), "--url")

    def test_rate_must_be_positive(self):
        for rate in ("0", "-1"):
            self.assertRefused(self.args("--rate", rate, "--duration", "1"),
                               "--rate")

    def test_bad_phase(self):
        self.assertRefused(self.args("--rate", "10", "--duration", "1",
                                     "--phase", "upgrade"), "--phase")

    def test_report_directory_must_exist(self):
        self.report = os.path.join(self.tmp, "missing", "probe.json")
        self.assertRefused(self.args("--rate", "10", "--duration", "1"),
                           "--report", "does not exist")

    def test_plot_without_matplotlib(self):
        with mock.patch.dict(sys.modules, {"matplotlib": None}):
            self.assertRefused(
                self.args("--rate", "10", "--duration", "1",
                          "--plot", os.path.join(self.tmp, "t.png")),
                "--plot", "pip install matplotlib")


class TestRun(_ProbeCommandTest):

    def test_run_writes_report_and_prints_summary(self):
        phase_file = os.path.join(self.tmp, "phases")
        with open(phase_file, "w") as marks:
            marks.write("upgrade=%f\n" % (time.time() + 0.1))
        self.run_command(*self.args("--rate", "20", "--duration", "0.3",
                                    "--progress-interval", "0.1",
                                    "--phase-file", phase_file))
        with open(self.report) as report_file:
            data = json.load(report_file)
        self.assertEqual(6, data["summary"]["totals"]["ok"])
        self.assertEqual(["(before first phase)", "upgrade"],
                         [p["name"] for p in data["summary"]["phases"]])
        self.assertIn("sent 6  ok 6  failed 0", self.app.stdout.getvalue())
        self.assertIn("outstanding", self.app.stderr.getvalue())

    def test_quiet_prints_no_progress(self):
        self.app.options.verbose_level = 0
        self.run_command(*self.args("--rate", "20", "--duration", "0.3",
                                    "--progress-interval", "0.1"))
        self.assertEqual("", self.app.stderr.getvalue())
        self.assertIn("sent 6", self.app.stdout.getvalue())


class TestProcess(base.BaseTestCase):
    """The real kolla-ansible command line, in a child process."""

    def setUp(self):
        super().setUp()
        self.server = self.useFixture(loopback.LoopbackServer())
        self.report = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                   "probe.json")

    def start(self, *argv):
        process = subprocess.Popen(
            [sys.executable, "-m", "kolla_ansible.cmd.kolla_ansible",
             "zdu-probe", "--url", self.server.url(), "--report",
             self.report, *argv],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(_kill_if_running, process)
        return process

    def test_sigterm_writes_the_report_and_exits_0(self):
        process = self.start("--rate", "20", "--until-signal",
                             "--max-duration", "20", "--timeout", "2")
        deadline = time.monotonic() + 10
        while self.server.requests < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertGreaterEqual(self.server.requests, 5)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=10)
        self.assertEqual(0, process.returncode, stderr)
        with open(self.report) as report_file:
            data = json.load(report_file)
        self.assertEqual("stop requested", data["run"]["stop_reason"])
        self.assertGreaterEqual(data["summary"]["totals"]["ok"], 5)
        self.assertEqual(0, data["summary"]["totals"]["failed"])
        self.assertIn("stopped: stop requested", stdout)

    def test_invalid_option_fails_before_traffic(self):
        process = self.start("--rate", "0", "--duration", "1")
        _, stderr = process.communicate(timeout=20)
        self.assertEqual(1, process.returncode)
        self.assertIn("--rate must be greater than 0", stderr)
        self.assertEqual(0, self.server.requests)


def _kill_if_running(process):
    if process.poll() is None:
        process.kill()
        process.wait(5)
