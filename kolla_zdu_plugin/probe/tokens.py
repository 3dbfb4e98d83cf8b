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
"""The tokens the keystone mode issued, kept to be validated."""

import collections
import threading

EXPIRY_MARGIN = 60.0


class NoFreshToken(Exception):
    """Every token the probe kept expires within :data:`EXPIRY_MARGIN`."""


class TokenPool:
    """The most recently issued tokens of the probe user, thread-safe.

    Validation takes the newest token as the subject and the oldest one
    still kept as the caller's own token. Behind a load balancer they were
    likely issued by different Keystone nodes, so a node whose keys differ
    from another's fails to validate them.
    """

    def __init__(self, size=16, margin=EXPIRY_MARGIN):
        self._tokens = collections.deque(maxlen=size)
        self._margin = margin
        self._lock = threading.Lock()

    def add(self, token, expires_at):
        """Keep token; expires_at is in Unix seconds, or None if unknown."""
        with self._lock:
            self._tokens.append((token, expires_at))

    def pair(self, now):
        """Return (auth token, subject token) valid beyond now + margin.

        :raises NoFreshToken: when no kept token is valid long enough.
        """
        with self._lock:
            fresh = [token for token, expires_at in self._tokens
                     if expires_at is None or expires_at > now + self._margin]
        if not fresh:
            raise NoFreshToken("no token issued by the probe is valid for "
                               "%g s more; nothing to validate"
                               % self._margin)
        return fresh[0], fresh[-1]
