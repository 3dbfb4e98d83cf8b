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
"""The exceptions of kolla_zdu_plugin.

Every error the plugin raises on purpose derives from :class:`ZduError`, so
the CLI can print one clear message and exit non-zero without a traceback.
Messages name the option, file, host or service involved and say how to fix
it.
"""


class ZduError(Exception):
    """Base class of the plugin's errors."""

    message = "An unknown zero-downtime upgrade error occurred."

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if message is None:
            message = self.message % kwargs if kwargs else self.message
        super().__init__(message)


class ConfigError(ZduError):
    """An option or configuration file is missing or invalid."""

    message = "Invalid configuration: %(reason)s"


class StrategyNotFound(ZduError):
    """No strategy of that name is installed."""

    message = ("No zero-downtime strategy named '%(name)s' is installed. "
               "Installed strategies: %(installed)s.")


class InventoryError(ZduError):
    """The inventory, globals or kolla-ansible installation cannot be read."""

    message = "Cannot read the deployment: %(reason)s"


class PreflightError(ZduError):
    """A check before the upgrade found the cluster unfit to start."""

    message = "Pre-flight check failed: %(reason)s"


class LoadBalancerError(ZduError):
    """An HAProxy runtime API call failed."""

    message = "HAProxy runtime API error on %(host)s: %(reason)s"


class ProbeError(ZduError):
    """The availability probe was given bad input or could not run."""

    message = "Probe error: %(reason)s"
