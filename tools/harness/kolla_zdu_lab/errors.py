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
"""The lab's error, and helpers for its messages."""

from kolla_zdu_plugin import exceptions


class LabError(exceptions.ZduError):
    """The lab cannot be built, started or reached."""

    message = "Lab error: %(reason)s"


def reason_of(error):
    """Return a ZduError's reason without its "Lab error:" prefix.

    Use it to quote one error inside another's message.
    """
    kwargs = getattr(error, "kwargs", None) or {}
    return kwargs.get("reason") or str(error)
