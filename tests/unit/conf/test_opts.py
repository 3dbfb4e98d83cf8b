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
import filecmp
import os
import subprocess
import sys

from oslo_config import cfg

from kolla_zdu_plugin import conf as zdu_conf
from kolla_zdu_plugin.conf import opts
from tests.unit import base

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))


class OptsTestCase(base.TestCase):

    def test_every_option_module_is_discovered(self):
        conf_dir = os.path.dirname(zdu_conf.__file__)
        modules = {name[:-3] for name in os.listdir(conf_dir)
                   if name.endswith('.py') and name != '__init__.py'
                   and name[:-3] not in opts.NOT_OPTION_MODULES}
        listed = {module.__name__.rsplit('.', 1)[1]
                  for module in opts.option_modules()}
        self.assertEqual(modules, listed)

    def test_issue_options_exist(self):
        conf = cfg.ConfigOpts()
        zdu_conf.register_opts(conf)
        conf([], default_config_files=[])
        self.assertEqual('auto', conf.zdu.strategy)
        self.assertEqual({}, conf.zdu.service_strategies)
        self.assertTrue(conf.zdu.rollback_on_failure)
        self.assertEqual(60, conf.drain.timeout)
        self.assertEqual('http', conf.readiness.probe)
        self.assertEqual(120, conf.readiness.timeout)
        self.assertEqual(20, conf.buffer.max_hold_time)
        self.assertEqual(2000, conf.buffer.max_held_requests)
        self.assertEqual(20000, conf.parallel.port_offset)
        self.assertEqual('/var/lib/kolla/haproxy/haproxy.sock',
                         conf.haproxy.socket_path)
        self.assertEqual('/var/log/kolla/zdu', conf.zdu.report_dir)

    def test_options_have_sentence_help(self):
        for group, options in opts.list_opts():
            for opt in options:
                self.assertTrue(opt.help.endswith('.'),
                                '%s.%s' % (group.name, opt.name))

    def test_sample_is_current(self):
        generated = os.path.join(self.config_dir, 'zdu.conf.sample')
        subprocess.check_call([
            sys.executable, '-m', 'oslo_config.generator',
            '--namespace', 'kolla_zdu_plugin', '--wrap-width', '79',
            '--output-file', generated])
        checked_in = os.path.join(ROOT, 'etc', 'kolla-zdu-plugin',
                                  'zdu.conf.sample')
        self.assertTrue(
            filecmp.cmp(generated, checked_in, shallow=False),
            'etc/kolla-zdu-plugin/zdu.conf.sample is stale; run '
            'tox -e genconfig')
