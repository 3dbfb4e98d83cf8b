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
import os

from kolla_zdu_plugin.conf import loading
from kolla_zdu_plugin import exceptions
from tests.unit import base


class LoadConfigTestCase(base.TestCase):

    def test_defaults_without_file(self):
        conf = loading.load_config(self.config_dir)
        self.assertEqual('auto', conf.zdu.strategy)
        self.assertEqual('built-in defaults', loading.config_source(conf))

    def test_reads_zdu_conf_in_config_dir(self):
        path = self.write_config('zdu.conf',
                                 '[zdu]\nstrategy = rolling\n'
                                 '[drain]\ntimeout = 5\n')
        conf = loading.load_config(self.config_dir)
        self.assertEqual('rolling', conf.zdu.strategy)
        self.assertEqual(5, conf.drain.timeout)
        self.assertEqual(path, loading.config_source(conf))

    def test_explicit_file_wins(self):
        self.write_config('zdu.conf', '[zdu]\nstrategy = rolling\n')
        other = self.write_config('other.conf', '[zdu]\nstrategy = buffer\n')
        conf = loading.load_config(self.config_dir, other)
        self.assertEqual('buffer', conf.zdu.strategy)

    def test_cli_strategy_overrides_file(self):
        self.write_config('zdu.conf', '[zdu]\nstrategy = rolling\n')
        conf = loading.load_config(self.config_dir, strategy='parallel')
        self.assertEqual('parallel', conf.zdu.strategy)

    def test_missing_explicit_file(self):
        missing = os.path.join(self.config_dir, 'nope.conf')
        exc = self.assertRaises(exceptions.ConfigError, loading.load_config,
                                self.config_dir, missing)
        self.assertIn('--zdu-config-file %s' % missing, str(exc))

    def test_unknown_option_names_option_and_file(self):
        path = self.write_config('zdu.conf', '[drain]\ntimeuot = 5\n')
        exc = self.assertRaises(exceptions.ConfigError, loading.load_config,
                                self.config_dir)
        self.assertIn('"timeuot"', str(exc))
        self.assertIn('[drain]', str(exc))
        self.assertIn(path, str(exc))
        self.assertIn('timeout', str(exc))

    def test_unknown_section(self):
        self.write_config('zdu.conf', '[drian]\ntimeout = 5\n')
        exc = self.assertRaises(exceptions.ConfigError, loading.load_config,
                                self.config_dir)
        self.assertIn('[drian]', str(exc))

    def test_value_below_minimum(self):
        path = self.write_config('zdu.conf', '[drain]\ntimeout = 0\n')
        exc = self.assertRaises(exceptions.ConfigError, loading.load_config,
                                self.config_dir)
        self.assertIn('"timeout"', str(exc))
        self.assertIn(path, str(exc))

    def test_value_not_an_integer(self):
        self.write_config('zdu.conf', '[buffer]\nmax_hold_time = soon\n')
        exc = self.assertRaises(exceptions.ConfigError, loading.load_config,
                                self.config_dir)
        self.assertIn('"max_hold_time"', str(exc))

    def test_bad_choice(self):
        self.write_config('zdu.conf', '[readiness]\nprobe = ping\n')
        exc = self.assertRaises(exceptions.ConfigError, loading.load_config,
                                self.config_dir)
        self.assertIn('"probe"', str(exc))

    def test_malformed_file(self):
        self.write_config('zdu.conf', 'strategy = rolling\n')
        self.assertRaises(exceptions.ConfigError, loading.load_config,
                          self.config_dir)

    def test_range_error_is_one_clean_line(self):
        path = self.write_config('zdu.conf', '[drain]\ntimeout = 0\n')
        exc = self.assertRaises(exceptions.ConfigError, loading.load_config,
                                self.config_dir)
        self.assertEqual(
            'Invalid configuration: invalid value for option "timeout" in '
            'section [drain] of %s: Should be greater than or equal to 1'
            % path, str(exc))
        self.assertNotIn('LocationInfo', str(exc))

    def test_absurdly_long_lease_is_refused(self):
        self.write_config('zdu.conf',
                          '[haproxy]\nout_of_service_lease = 86400\n')
        exc = self.assertRaises(exceptions.ConfigError, loading.load_config,
                                self.config_dir)
        self.assertIn('"out_of_service_lease" in section [haproxy]',
                      str(exc))
        self.assertIn('less than or equal to 21600', str(exc))

    def test_empty_socket_path_is_refused(self):
        path = self.write_config('zdu.conf', '[haproxy]\nsocket_path =\n')
        exc = self.assertRaises(exceptions.ConfigError, loading.load_config,
                                self.config_dir)
        self.assertIn('[haproxy] socket_path in %s must be an absolute path'
                      % path, str(exc))

    def test_relative_report_dir_is_refused(self):
        self.write_config('zdu.conf', '[zdu]\nreport_dir = logs\n')
        exc = self.assertRaises(exceptions.ConfigError, loading.load_config,
                                self.config_dir)
        self.assertIn("[zdu] report_dir", str(exc))
        self.assertIn("(got 'logs')", str(exc))

    def test_unimplemented_probe_kinds_are_not_offered(self):
        for kind in ('haproxy', 'container'):
            self.write_config('zdu.conf', '[readiness]\nprobe = %s\n' % kind)
            exc = self.assertRaises(exceptions.ConfigError,
                                    loading.load_config, self.config_dir)
            self.assertIn('"probe"', str(exc))
