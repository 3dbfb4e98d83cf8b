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
"""Discover the option modules of this package for registration and docs.

Every module of ``kolla_zdu_plugin.conf`` that defines ``list_opts()`` is an
option module; nothing is listed by hand, so no option can be forgotten by
the sample generator or the documentation.
"""

import importlib
import pkgutil

_PACKAGE = 'kolla_zdu_plugin.conf'
# Modules of this package that define no options: discovery, helpers and
# the loading of the configuration file.
NOT_OPTION_MODULES = ('loading', 'opts', 'utils')


def option_modules():
    """Return the option modules of this package, sorted by name."""
    package = importlib.import_module(_PACKAGE)
    modules = []
    for info in sorted(pkgutil.iter_modules(package.__path__),
                       key=lambda i: i.name):
        if info.name in NOT_OPTION_MODULES:
            continue
        module = importlib.import_module('%s.%s' % (_PACKAGE, info.name))
        if hasattr(module, 'list_opts'):
            modules.append(module)
    return modules


def list_opts():
    """Return ``[(group, [opts])]`` for oslo-config-generator."""
    result = []
    for module in option_modules():
        result.extend(module.list_opts().items())
    return result
