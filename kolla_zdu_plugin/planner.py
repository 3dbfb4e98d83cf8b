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
"""Turn a service map and the options into an upgrade plan."""

import logging

from kolla_zdu_plugin import config
from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin import plan
from kolla_zdu_plugin.strategies import base
from kolla_zdu_plugin.strategies import loader

LOG = logging.getLogger(__name__)


def _check_overrides(service_map, conf):
    known = set(service_map.by_name())
    for option in ('service_strategies', 'mixed_version_unsafe_services'):
        for name in getattr(conf.zdu, option):
            if name not in known:
                raise exceptions.ConfigError(
                    reason='[zdu] %s in %s names service "%s", which is not '
                           'an enabled HAProxy-fronted service of this '
                           'deployment; known services: %s'
                           % (option, config.config_source(conf), name,
                              ', '.join(sorted(known))))


def strategy_name_for(service, conf):
    """Return the strategy name configured for ``service``."""
    return conf.zdu.service_strategies.get(service.name, conf.zdu.strategy)


def facts_for(service, conf):
    """Return the :class:`~.base.ServiceFacts` known for ``service``."""
    return base.ServiceFacts(
        mixed_versions_safe=(
            service.name not in conf.zdu.mixed_version_unsafe_services))


def make_plan(service_map, conf):
    """Plan every service of ``service_map`` with its strategy.

    :raises: ConfigError or StrategyNotFound before anything is planned.
    """
    _check_overrides(service_map, conf)
    strategies = {}
    for service in service_map.services:
        name = strategy_name_for(service, conf)
        if name not in strategies:
            strategies[name] = loader.load_strategy(name, conf)
    plans = []
    for service in service_map.services:
        strategy = strategies[strategy_name_for(service, conf)]
        LOG.debug("planning %s with %s", service.name, strategy.name)
        plans.append(strategy.plan_service(service, facts_for(service,
                                                              conf)))
    return plan.UpgradePlan(services=tuple(plans),
                            loadbalancers=service_map.loadbalancers,
                            notes=service_map.notes)
