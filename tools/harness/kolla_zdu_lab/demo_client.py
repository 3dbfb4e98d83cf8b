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
"""Asking the lab's demo service which release answers."""

import json
import time
import urllib.error
import urllib.request

from kolla_zdu_lab import errors


def get_version(url, timeout=3):
    """GET ``url`` and return the zdu-demo document it answers with.

    :returns: a dict with at least ``version`` and ``host``.
    :raises LabError: on a connection error, a non-200 answer or a body
        that is not a zdu-demo document.
    """
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        raise errors.LabError(
            reason="%s answered %s: %s"
                   % (url, error.code, error.read(300).decode(errors="replace")
                      .strip()))
    except (urllib.error.URLError, OSError) as error:
        raise errors.LabError(reason="cannot reach %s: %s" % (url, error))
    try:
        document = json.loads(body)
        document["version"], document["host"]
    except (ValueError, KeyError, TypeError):
        raise errors.LabError(
            reason="%s answered something other than zdu-demo: %r"
                   % (url, body[:200]))
    return document


def wait_for_version(url, version=None, timeout=60, interval=1):
    """Wait until ``url`` answers, with ``version`` if given.

    :returns: the last document.
    :raises LabError: when ``timeout`` seconds pass first.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            document = get_version(url)
            if version is None or document["version"] == version:
                return document
            problem = "it serves %s" % document["version"]
        except errors.LabError as error:
            problem = errors.reason_of(error)
        if time.monotonic() > deadline:
            raise errors.LabError(
                reason="%s did not answer%s within %d s: %s"
                       % (url, " " + version if version else "", timeout,
                          problem))
        time.sleep(interval)
