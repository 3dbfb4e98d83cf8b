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
"""Run the probe: check the settings, send the load, build the report."""

import logging

from kolla_zdu_plugin.probe import load
from kolla_zdu_plugin.probe import report

LOG = logging.getLogger(__name__)


def run(settings, stop=None, progress=None):
    """Run a probe and return its :class:`Report`.

    :param settings: a :class:`ProbeSettings`; checked before any request.
    :param stop: a ``threading.Event``; setting it ends the run early, after
        the requests in flight finish (at most ``timeout`` + 1 s later).
    :param progress: called with a :class:`load.Progress` every
        ``settings.progress_interval`` seconds.
    :raises ProbeError: when a setting is invalid, or when the pre-flight
        check of the keystone or heat mode fails; no load is sent then.
    """
    settings.validate()
    LOG.info("probing %s at %s requests/s for at most %s s",
             describe_target(settings), settings.rate, settings.run_seconds)
    result = load.send_load(settings, stop=stop, progress=progress)
    return report.Report(settings, result)


def describe_target(settings):
    """Return what a run probes, for messages."""
    if not settings.authenticates:
        return ", ".join(settings.urls)
    source = settings.keystone or "cloud %s" % settings.os_cloud
    if settings.heat_mode:
        return ("heat via Keystone at %s (%s)"
                % (source, settings.describe_heat_shares()))
    return ("Keystone at %s (token issue and validation, validate share %g)"
            % (source, settings.keystone_validate_share))
