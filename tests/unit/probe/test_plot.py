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
"""The PNG timeline, and the check made when matplotlib is missing."""

import os
import sys
from unittest import mock

import fixtures
from oslotest import base

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.probe import phases
from kolla_zdu_plugin.probe import plot
from kolla_zdu_plugin.probe import report as report_mod
from tests.unit.probe import synthetic

_NO_MATPLOTLIB = dict.fromkeys(
    ["matplotlib", "matplotlib.backends", "matplotlib.backends.backend_agg",
     "matplotlib.figure"])


def _matplotlib_installed():
    try:
        plot.require_matplotlib()
    except exceptions.ProbeError:
        return False
    return True


class TestRequireMatplotlib(base.BaseTestCase):

    def test_missing_matplotlib_says_how_to_install_it(self):
        with mock.patch.dict(sys.modules, _NO_MATPLOTLIB):
            exc = self.assertRaises(exceptions.ProbeError,
                                    plot.require_matplotlib)
        self.assertIn("--plot", str(exc))
        self.assertIn("pip install matplotlib", str(exc))


class TestPlotTimeline(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        if not _matplotlib_installed():
            self.skipTest("matplotlib is not installed")

    def test_png_is_written(self):
        recs = synthetic.records("..55rct.o4s" + "." * 10 + "S")
        report = report_mod.Report(
            synthetic.settings(phases=[phases.Phase(
                "upgrade", synthetic.START + 0.2)]),
            synthetic.result(recs))
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            "timeline.png")
        plot.plot_timeline(report, path)
        with open(path, "rb") as png:
            self.assertEqual(b"\x89PNG", png.read(4))
