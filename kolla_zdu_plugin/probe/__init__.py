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
"""The availability probe: open-loop HTTP load that records every request.

The Python API used by ``kolla-ansible zdu-probe`` and by the lab::

    from kolla_zdu_plugin import probe

    report = probe.run(probe.ProbeSettings(urls=[url], rate=100,
                                           duration=60))
    report.write("probe.json")
    print(probe.format_summary(report))
    baseline = probe.load_report("baseline.json")
    print(probe.format_comparison([baseline, report],
                                  ["baseline", "zero-downtime"]))
"""

from kolla_zdu_plugin.probe.phases import Phase
from kolla_zdu_plugin.probe.report import load_report
from kolla_zdu_plugin.probe.report import Report
from kolla_zdu_plugin.probe.runner import run
from kolla_zdu_plugin.probe.settings import ProbeSettings
from kolla_zdu_plugin.probe.text import format_comparison
from kolla_zdu_plugin.probe.text import format_summary

__all__ = ["Phase", "ProbeSettings", "Report", "format_comparison",
           "format_summary", "load_report", "run"]
