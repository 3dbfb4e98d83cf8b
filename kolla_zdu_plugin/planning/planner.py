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

from kolla_zdu_plugin.conf import loading
from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.planning import bounds
from kolla_zdu_plugin.planning import loadbalancer
from kolla_zdu_plugin.planning import plan
from kolla_zdu_plugin.planning import role_units
from kolla_zdu_plugin.planning import serial_roles
from kolla_zdu_plugin.planning import site_pass
from kolla_zdu_plugin.strategies import base
from kolla_zdu_plugin.strategies import loader

LOG = logging.getLogger(__name__)


def _check_overrides(service_map, conf):
    known = set(service_map.by_name())
    for group, option in (('zdu', 'service_strategies'),
                          ('zdu', 'mixed_version_unsafe_services'),
                          ('buffer', 'restart_times')):
        for name in getattr(conf[group], option):
            if name not in known:
                raise exceptions.ConfigError(
                    reason='[%s] %s in %s names service "%s", which is not '
                           'an enabled HAProxy-fronted service of this '
                           'deployment; known services: %s'
                           % (group, option, loading.config_source(conf),
                              name, ', '.join(sorted(known))))


def _check_loadbalancers(service_map, conf):
    if service_map.services and not service_map.loadbalancers:
        raise exceptions.ConfigError(
            reason='[haproxy] loadbalancer_group in %s is "%s", and no host '
                   'of the inventory is in that group, so no HAProxy can '
                   'drain the servers of %s; name the inventory group that '
                   'runs HAProxy (kolla-ansible calls it loadbalancer)'
                   % (loading.config_source(conf),
                      conf.haproxy.loadbalancer_group,
                      ', '.join(s.name for s in service_map.services)))


def migrates(service_map):
    """Return whether a service migrates its database while drained."""
    return any(service.database_steps for service in service_map.services)


def facts_for(unit, conf):
    """Return the :class:`~.base.ServiceFacts` known for ``unit``.

    Old and new versions may mix only if they may for every member; the
    restart time is the longest known of the members.
    """
    times = [conf.buffer.restart_times[name] for name in unit.names
             if name in conf.buffer.restart_times]
    return base.ServiceFacts(
        mixed_versions_safe=not any(
            name in conf.zdu.mixed_version_unsafe_services
            for name in unit.names),
        restart_time=max(times) if times else None)


def strategy_source(unit, conf):
    """Return the option that set the strategy of ``unit``.

    ``--zdu-strategy`` offers only installed strategies, so a name that is
    not installed comes from the configuration file.
    """
    option = ('service_strategies'
              if set(unit.names) & set(conf.zdu.service_strategies)
              else 'strategy')
    return '[zdu] %s in %s' % (option, loading.config_source(conf))


def load_strategies(units, conf, registry):
    """Load the strategy of every unit once, before any is planned.

    :raises: ConfigError naming the option, file and service that ask for
        a strategy which is not installed.
    """
    for unit in units:
        name = role_units.configured_strategy(unit, conf)
        try:
            registry.get(name)
        except exceptions.StrategyNotFound as exc:
            raise exceptions.ConfigError(
                reason='%s (asked for by %s, for service %s)'
                       % (exc, strategy_source(unit, conf),
                          ', '.join(unit.names)))


def make_plan(service_map, conf, registry=None):
    """Plan every service of ``service_map`` with its strategy.

    The fronted services of one kolla role are planned together, as one
    unit (see :mod:`~kolla_zdu_plugin.planning.role_units`).

    :param registry: the run's ``StrategyRegistry``; a new one when None.
    :raises: ConfigError before anything is planned.
    """
    _check_overrides(service_map, conf)
    _check_loadbalancers(service_map, conf)
    serial_roles.check_roles(conf)
    run_bounds = bounds.from_conf(conf, migrates(service_map))
    bounds.check_lease(run_bounds, conf)
    bounds.check_graceful_stop(conf)
    registry = registry or loader.StrategyRegistry(conf)
    units = role_units.merge(service_map.services)
    load_strategies(units, conf, registry)
    plans = []
    for unit in units:
        strategy = registry.get(role_units.configured_strategy(unit, conf))
        LOG.debug("planning %s with %s", ', '.join(unit.names),
                  strategy.name)
        plans.append(strategy.plan_service(unit, facts_for(unit, conf)))
    serial_role_plans = serial_roles.plan_serial_roles(service_map, conf)
    return plan.UpgradePlan(services=tuple(plans),
                            loadbalancers=service_map.loadbalancers,
                            notes=service_map.notes, bounds=run_bounds,
                            loadbalancer=loadbalancer.plan_loadbalancer(
                                service_map, conf),
                            serial_roles=serial_role_plans,
                            site_pass=site_pass.plan_site_pass(
                                service_map, units, plans,
                                serial_role_plans, conf))
