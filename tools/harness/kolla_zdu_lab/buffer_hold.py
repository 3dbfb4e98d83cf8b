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
"""The buffer strategy's HAProxy hold, set up in the lab as an operator would.

``up`` installs it before it deploys, so that the lab's HAProxy can hold
requests (see ``doc/source/reference/buffer-mechanism.rst``):

* :func:`globals_values` go to ``globals.yml``, with the ``[buffer]``
  options' defaults as the bounds;
* :func:`write_files` writes ``00-zdu-hold.cfg`` and ``zdu_hold.lua`` to
  the custom ``services.d`` of the lab's config dir. kolla templates the
  ``*.cfg`` into the haproxy container; the lab's ``site.yml`` copies the
  Lua script to every loadbalancer host before kolla's ``loadbalancer``
  role starts HAProxy.
"""

import logging
import os

from kolla_zdu_plugin.conf import buffer
from kolla_zdu_plugin.haproxy import hold_config

LOG = logging.getLogger(__name__)
BACKEND_EXTRA_KEY = "haproxy_backend_http_extra"


def default_bounds():
    """Return ``(max_hold_time, max_held_requests)`` of ``[buffer]``."""
    defaults = {opt.name: opt.default for opt in buffer.OPTS}
    return defaults["max_hold_time"], defaults["max_held_requests"]


def globals_values(existing_lines=()):
    """Return the globals the hold needs.

    :param existing_lines: the ``haproxy_backend_http_extra`` lines
        globals.yml has now; the operator's own are kept, earlier hold
        lines are replaced.
    """
    return hold_config.globals_overrides(*default_bounds(),
                                         existing=existing_lines)


def custom_services_dir(config_dir):
    """Return ``{{ node_custom_config }}/haproxy/services.d``.

    kolla-ansible's ``node_custom_config`` is ``<config dir>/config``.
    """
    return os.path.join(config_dir, "config", "haproxy", "services.d")


def files():
    """Return ``{name: text}`` of the files the hold needs."""
    return {hold_config.GLOBAL_FILE: hold_config.global_config(),
            hold_config.LUA_FILE: hold_config.LUA_SCRIPT}


def write_files(config_dir):
    """Write the hold's files to the custom ``services.d``.

    :returns: the directory written to.
    """
    directory = custom_services_dir(config_dir)
    os.makedirs(directory, exist_ok=True)
    for name, text in files().items():
        path = os.path.join(directory, name)
        LOG.debug("writing %s", path)
        with open(path + ".tmp", "w") as output:
            output.write(text)
        os.replace(path + ".tmp", path)
    return directory
