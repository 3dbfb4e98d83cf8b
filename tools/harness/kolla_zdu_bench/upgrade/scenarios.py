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
"""The upgrades the bench measures, in the order it runs them."""

import dataclasses
import itertools
import typing

from kolla_zdu_bench.upgrade import targets as targets
from kolla_zdu_plugin import exceptions

# zdu-demo as kolla-ansible's zdu_demo_services names it.
SERVICE = 'zdu-demo'
MIXED_VERSION_UNSAFE_CONFIG = ('[zdu]\nmixed_version_unsafe_services = %s\n'
                               % SERVICE)


@dataclasses.dataclass(frozen=True)
class Scenario(object):
    """One upgrade of zdu-demo under the probe.

    :param strategy: the ``--zdu-strategy``, None for a plain upgrade.
    :param exclusive_schema: ``zdu_demo_exclusive_schema`` of the target,
        which makes v1 and v2 refuse to serve side by side.
    :param zdu_config: the text of a ``--zdu-config-file``, if any.
    :param targets: what the upgrade has to meet, among
        :data:`upgrade_targets.CHECKS`' keys.
    """

    name: str
    nodes: int
    strategy: typing.Optional[str] = None
    exclusive_schema: bool = False
    zdu_config: typing.Optional[str] = None
    targets: tuple = ()

    @property
    def is_baseline(self):
        """Whether this is a plain ``kolla-ansible upgrade``."""
        return self.strategy is None


SCENARIOS = (
    Scenario('baseline', 3),
    Scenario('rolling', 3, 'rolling',
             targets=(targets.ZERO_FAILURES, targets.P99_RATIO)),
    Scenario('parallel', 3, 'parallel',
             targets=(targets.ZERO_FAILURES, targets.P99_RATIO,
                      targets.WALL_RATIO)),
    Scenario('auto', 3, 'auto',
             targets=(targets.ZERO_FAILURES, targets.WALL_RATIO)),
    Scenario('auto-mixed', 3, 'auto', exclusive_schema=True,
             zdu_config=MIXED_VERSION_UNSAFE_CONFIG,
             targets=(targets.ZERO_FAILURES, targets.WALL_RATIO,
                      targets.HOLD)),
    Scenario('baseline-1', 1),
    Scenario('buffer', 1, 'buffer',
             targets=(targets.ZERO_FAILURES, targets.HOLD)),
)
NAMES = tuple(scenario.name for scenario in SCENARIOS)


def select(names=None):
    """Return the scenarios named in ``names`` (all if empty), in run order.

    :raises ConfigError: naming the unknown scenarios and the known ones.
    """
    if not names:
        return list(SCENARIOS)
    unknown = sorted(set(names) - set(NAMES))
    if unknown:
        raise exceptions.ConfigError(
            reason='--scenarios: unknown %s; choose among %s'
                   % (', '.join(unknown), ', '.join(NAMES)))
    return [scenario for scenario in SCENARIOS if scenario.name in names]


def by_lab(scenarios):
    """Return ``[(nodes, [scenario, ...])]``: one lab per node count."""
    return [(nodes, list(group)) for nodes, group in
            itertools.groupby(scenarios, key=lambda item: item.nodes)]


def other_version(version):
    """Return the zdu-demo release an upgrade from ``version`` moves to."""
    return 'v1' if version == 'v2' else 'v2'
