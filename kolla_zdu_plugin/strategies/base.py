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
"""The interface every zero-downtime strategy implements."""

import abc
import dataclasses
import typing

from kolla_zdu_plugin.planning import plan
from kolla_zdu_plugin.strategies import loader


@dataclasses.dataclass(frozen=True)
class ServiceFacts:
    """What is known about a service beyond the service map.

    :param mixed_versions_safe: whether old and new versions may serve at
        the same time.
    :param restart_time: seconds from stopping the old container to the
        new one answering, from ``[buffer] restart_times``; None when
        unknown.
    """

    mixed_versions_safe: bool = True
    restart_time: typing.Optional[float] = None


class Strategy(metaclass=abc.ABCMeta):
    """A way to upgrade one HAProxy-fronted service without failed requests.

    Strategies are loaded from the ``kolla_zdu_plugin.strategies``
    entry-point namespace and built with the plugin's configuration.

    :param conf: an ``oslo_config.cfg.ConfigOpts`` with the plugin's
        options registered.
    :param registry: the run's
        :class:`~kolla_zdu_plugin.strategies.loader.StrategyRegistry`, for
        a strategy that delegates to others; a new one when None.
    """

    #: The name users give to --zdu-strategy.
    name = None

    def __init__(self, conf, registry=None):
        self.conf = conf
        self.registry = registry or loader.StrategyRegistry(conf)

    def service_plan(self, service, steps, reason='selected', chosen=None):
        """Return the :class:`~kolla_zdu_plugin.plan.ServicePlan` of steps.

        :param chosen: the mechanism that acts, when this strategy picked
            another one (as auto does); this strategy's name by default.
        """
        return plan.ServicePlan(
            service=service.name, project=service.project,
            container=service.container_name, strategy=self.name,
            chosen=chosen or self.name, reason=reason, steps=tuple(steps))

    @abc.abstractmethod
    def plan_service(self, service, facts):
        """Plan the upgrade of one service.

        :param service: a :class:`kolla_zdu_plugin.servicemap.model.Service`.
        :param facts: a :class:`ServiceFacts`.
        :returns: a :class:`kolla_zdu_plugin.plan.ServicePlan`.
        """

    def plays(self, service, service_plan):
        """Return the Ansible plays that carry out ``service_plan``.

        :param service: the :class:`~kolla_zdu_plugin.servicemap.model.
            Service` planned.
        :param service_plan: what :meth:`plan_service` returned for it.
        :returns: a list of plays (dicts) for the generated playbook.
        :raises: NotImplementedError when the strategy can only plan.
        """
        raise NotImplementedError()
