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
from kolla_zdu_plugin.servicemap import variables
from tests.unit import base


class VariableResolverTestCase(base.TestCase):

    def test_native_types_and_chains(self):
        resolver = variables.VariableResolver([
            {'port': '{{ base_port | int + 1 }}', 'base_port': '5000',
             'enabled': '{{ enable_x | bool }}', 'enable_x': 'yes'}])
        self.assertEqual(5001, resolver.get('port'))
        self.assertIs(True, resolver.get('enabled'))

    def test_later_layer_wins(self):
        resolver = variables.VariableResolver([{'a': '1'}, {'a': '2'}])
        self.assertEqual('2', resolver.get('a'))

    def test_undefined_is_unresolved(self):
        resolver = variables.VariableResolver([{'a': '{{ missing }}'}])
        self.assertRaises(variables.Unresolved, resolver.get, 'a')

    def test_default_filter_covers_undefined(self):
        resolver = variables.VariableResolver([
            {'a': '{{ missing | default(3) }}'}])
        self.assertEqual(3, resolver.get('a'))

    def test_unknown_filter_is_unresolved(self):
        resolver = variables.VariableResolver([
            {"a": "{{ \"x\" | ansible.netcommon.unknown_filter }}"}])
        self.assertRaises(variables.Unresolved, resolver.get, 'a')

    def test_self_reference_is_unresolved(self):
        resolver = variables.VariableResolver([{'a': '{{ b }}',
                                                'b': '{{ a }}'}])
        self.assertRaises(variables.Unresolved, resolver.get, 'a')

    def test_constants_are_not_rendered(self):
        marker = {'x': '{{ not_rendered }}'}
        resolver = variables.VariableResolver([{}], constants={'m': marker})
        self.assertIs(marker, resolver.get('m'))

    def test_render_nested(self):
        resolver = variables.VariableResolver([{'p': '80'}])
        self.assertEqual({'ports': [80, 1]},
                         resolver.render({'ports': ['{{ p }}', 1]}))

    def test_to_bool(self):
        for value in ('yes', 'True', '1', 'on', True):
            self.assertIs(True, variables.to_bool(value))
        for value in ('no', 'false', '0', '', False, None):
            self.assertIs(False, variables.to_bool(value))

    def test_ipaddr_address(self):
        resolver = variables.VariableResolver([
            {'a': '{{ "10.0.0.1" | ansible.utils.ipaddr("address") }}',
             'b': '{{ "not-an-ip" | ansible.utils.ipaddr("address") }}'}])
        self.assertEqual('10.0.0.1', resolver.get('a'))
        self.assertIs(False, resolver.get('b'))
