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
"""Which operation each scheduled request makes, in fixed shares.

The choice depends on the request's index alone, so a run is reproducible
and the operations are spread evenly over the schedule: of the first n
requests, ``floor(n * share)`` go to the first operation, and the others are
shared out the same way among the remaining operations.
"""

import math

EPSILON = 1e-9


def split(index, share):
    """Return whether request index is in a share, and its rank on its side.

    :param share: a fraction between 0 and 1.
    :returns: (chosen, rank): chosen for ``floor(n * share)`` of the first
        n requests, evenly spread; rank counts the requests before index on
        the same side, chosen or not.
    """
    before = math.floor(index * share + EPSILON)
    if math.floor((index + 1) * share + EPSILON) > before:
        return True, before
    return False, index - before


def pick(index, shares):
    """Return the operation of request index, and its rank among them.

    :param shares: ``(operation, share)`` pairs whose shares add up to 1.
    :returns: (operation, how many requests of that operation come before
        request index).
    """
    left = math.fsum(share for _operation, share in shares)
    for operation, share in shares[:-1]:
        if left <= EPSILON:
            break
        chosen, index = split(index, min(1.0, share / left))
        if chosen:
            return operation, index
        left -= share
    return shares[-1][0], index
