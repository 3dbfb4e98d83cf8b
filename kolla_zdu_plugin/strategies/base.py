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

    def service_plan(self, service, batches, reason='selected', chosen=None,
                     notes=()):
        """Return the :class:`~kolla_zdu_plugin.planning.plan.ServicePlan`.

        :param batches: the :class:`~kolla_zdu_plugin.planning.plan.Batch`
            list the run carries out, in order.
        :param chosen: the mechanism that acts, when this strategy picked
            another one (as auto does); this strategy's name by default.
        :param notes: steps shown but not carried out.
        """
        return plan.ServicePlan(
            service=service.name, project=service.project,
            container=service.container_name, strategy=self.name,
            chosen=chosen or self.name, reason=reason,
            batches=tuple(batches), notes=tuple(notes),
            group=service.group, hosts=tuple(service.hosts),
            image=service.image, image_var=service.image_var or '',
            services_var=service.services_var or '',
            members=tuple(plan.Member(
                service=member.name, container=member.container_name,
                group=member.group, hosts=tuple(member.hosts),
                image=member.image, image_var=member.image_var or '')
                for member in service.members),
            groups=service.groups)

    @abc.abstractmethod
    def plan_service(self, service, facts):
        """Plan the upgrade of one service.

        The batches of the plan are what the run executes: the generated
        playbook applies the ``zdu_service`` role to each batch's hosts
        with the batch's steps, so a strategy never writes Ansible.

        :param service: a :class:`kolla_zdu_plugin.servicemap.model.Service`.
        :param facts: a :class:`ServiceFacts`.
        :returns: a :class:`kolla_zdu_plugin.planning.plan.ServicePlan`.
        """
