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
"""Offline evaluation of Ansible variables as kolla-ansible defines them.

kolla-ansible describes its services with Jinja expressions that refer to
other variables (``"{{ keystone_internal_port }}"``). A
:class:`VariableResolver` evaluates such values lazily from a stack of
variable layers, without running Ansible and without contacting any host.
What needs the hosts (facts, lookups, filters this module does not know) is
reported as :class:`Unresolved` instead of being guessed.
"""

import collections.abc
import ipaddress
import json

import jinja2
from jinja2 import nativetypes

_TRUE_STRINGS = ('yes', 'on', '1', 'true', 't', 'y')


class Unresolved(Exception):
    """A value depends on something only a live deployment knows."""


def to_bool(value):
    """Convert a value to a boolean the way Ansible's ``bool`` filter does."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE_STRINGS


def _ternary(value, true_value, false_value, none_value=None):
    if value is None and none_value is not None:
        return none_value
    return true_value if value else false_value


def _combine(*dicts, **kwargs):
    result = {}
    for item in dicts:
        result.update(item)
    return result


def _union(first, second):
    return list(first) + [item for item in second if item not in first]


@jinja2.pass_context
def offline_kolla_address(context, network_name, hostname=None,
                          override_var=None):
    """Stand in for kolla's ``kolla_address`` filter without host facts.

    The address of an interface is a fact of the live host. Offline, the
    host's ``ansible_host`` is the best available answer, else its
    inventory name.
    """
    hostname = hostname or context.get('inventory_hostname')
    host = context.get('hostvars', {})[hostname]
    if override_var and override_var in host:
        return host[override_var]
    return host['ansible_host'] if 'ansible_host' in host else hostname


def _ipaddr(value, query=''):
    """The address queries of ``ansible.utils.ipaddr`` kolla relies on."""
    try:
        interface = ipaddress.ip_interface(str(value).strip('[]'))
    except ValueError:
        return False
    if query == 'address':
        return str(interface.ip)
    if query in ('', None):
        return str(value)
    raise Unresolved("ipaddr query '%s' is not supported offline" % query)


def _unknown_filter(name):
    def unknown(*args, **kwargs):
        raise Unresolved("filter '%s' is only known to a live Ansible run"
                         % name)
    return unknown


class _Filters(dict):
    """Known filters; any other filter name resolves to :class:`Unresolved`.

    Jinja looks filters up at compile time, so an unknown name must still
    return a callable for templates that never reach it.
    """

    def get(self, name, default=None):
        return dict.get(self, name) or _unknown_filter(name)

    def __contains__(self, name):
        return True

    def __missing__(self, name):
        return _unknown_filter(name)


def _environment():
    env = nativetypes.NativeEnvironment(undefined=jinja2.StrictUndefined)
    env.filters = _Filters(env.filters)
    env.filters.update({
        'bool': to_bool,
        'ternary': _ternary,
        'combine': _combine,
        'union': _union,
        'to_json': json.dumps,
        'string': str,
        'kolla_address': offline_kolla_address,
        'ipaddr': _ipaddr,
        'ansible.utils.ipaddr': _ipaddr,
    })
    return env


class Scope(collections.abc.Mapping):
    """A read-only mapping that evaluates each variable on first access."""

    def __init__(self, resolver):
        self._resolver = resolver

    def __getitem__(self, name):
        if not self._resolver.has(name):
            raise KeyError(name)
        return self._resolver.get(name)

    def __contains__(self, name):
        return self._resolver.has(name)

    def __iter__(self):
        return iter(self._resolver.names())

    def __len__(self):
        return len(self._resolver.names())


class VariableResolver(object):
    """Evaluate variables from layers of increasing precedence.

    :param layers: a list of dicts; a name in a later dict wins.
    :param constants: values used as they are, above every layer, such as
        Ansible's magic ``hostvars``.
    """

    _env = _environment()

    def __init__(self, layers, constants=None):
        self._layers = list(layers)
        self._constants = dict(constants or {})
        self._cache = {}
        self._evaluating = set()

    def with_layers(self, *layers):
        """Return a resolver with ``layers`` above the current ones."""
        return VariableResolver(self._layers + list(layers),
                                self._constants)

    def has(self, name):
        """Return whether any layer defines ``name``."""
        return (name in self._constants
                or any(name in layer for layer in self._layers))

    def names(self):
        """Return every defined name."""
        return set(self._constants).union(*self._layers)

    def raw(self, name):
        """Return the unevaluated value of ``name``.

        :raises: KeyError if no layer defines it.
        """
        for layer in reversed(self._layers):
            if name in layer:
                return layer[name]
        raise KeyError(name)

    def get(self, name):
        """Return the evaluated value of ``name``.

        :raises: Unresolved if it cannot be evaluated offline.
        """
        if name in self._constants:
            return self._constants[name]
        if name in self._cache:
            return self._cache[name]
        if name in self._evaluating:
            raise Unresolved("variable '%s' refers to itself" % name)
        if not self.has(name):
            raise Unresolved("variable '%s' is not defined" % name)
        self._evaluating.add(name)
        try:
            value = self.render(self.raw(name))
        finally:
            self._evaluating.discard(name)
        self._cache[name] = value
        return value

    def render(self, value):
        """Evaluate the Jinja expressions in ``value``, recursively.

        :raises: Unresolved if any part cannot be evaluated offline.
        """
        if isinstance(value, str):
            return self._render_string(value)
        if isinstance(value, collections.abc.Mapping):
            return {key: self.render(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.render(item) for item in value]
        return value

    def _render_string(self, text):
        if '{{' not in text and '{%' not in text:
            return text
        try:
            template = self._env.from_string(text)
            context = template.new_context(Scope(self), shared=True)
            value = self._env.concat(template.root_render_func(context))
        except Unresolved:
            raise
        except jinja2.UndefinedError as exc:
            raise Unresolved(str(exc))
        except (jinja2.TemplateError, TypeError, ValueError, KeyError,
                AttributeError, IndexError) as exc:
            raise Unresolved("cannot evaluate %r: %s" % (text, exc))
        if isinstance(value, jinja2.Undefined):
            raise Unresolved("%r is undefined" % text)
        return value
