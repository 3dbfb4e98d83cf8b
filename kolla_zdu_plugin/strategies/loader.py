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
"""Load strategies from the ``kolla_zdu_plugin.strategies`` namespace."""

from stevedore import driver
from stevedore import exception as stevedore_exc
from stevedore import extension

from kolla_zdu_plugin import exceptions

NAMESPACE = 'kolla_zdu_plugin.strategies'


def installed_strategies():
    """Return the names of the installed strategies, sorted."""
    return sorted(extension.ExtensionManager(NAMESPACE).names())


def load_strategy(name, conf, registry=None):
    """Return the strategy ``name`` built with ``conf``.

    :param registry: the :class:`StrategyRegistry` the strategy may ask
        for other strategies, as auto does.
    :raises: StrategyNotFound listing the installed strategies.
    """
    try:
        manager = driver.DriverManager(namespace=NAMESPACE, name=name,
                                       invoke_on_load=True,
                                       invoke_args=(conf,),
                                       invoke_kwds={'registry': registry})
    except stevedore_exc.NoMatches:
        raise exceptions.StrategyNotFound(
            name=name, installed=', '.join(installed_strategies()))
    return manager.driver


class StrategyRegistry:
    """The strategies of one run, each loaded once and built with conf."""

    def __init__(self, conf):
        self.conf = conf
        self._loaded = {}

    def get(self, name):
        """Return the strategy ``name``, loading it the first time.

        :raises: StrategyNotFound listing the installed strategies.
        """
        if name not in self._loaded:
            self._loaded[name] = load_strategy(name, self.conf, self)
        return self._loaded[name]
