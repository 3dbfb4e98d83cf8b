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
"""The hold files the lab writes, checked by text and by a real HAProxy."""

import os
import subprocess
import unittest
from unittest import mock

import jinja2

from kolla_zdu_bench.hold import loopback as bench_lab
from kolla_zdu_lab import buffer_hold
from kolla_zdu_lab import kolla_config
from kolla_zdu_lab import settings as settings_mod
from kolla_zdu_plugin.haproxy import hold_config
from tests.unit import base

HAS_HAPROXY = os.access(bench_lab.HAPROXY, os.X_OK)
# ``haproxy -c`` binds nothing, so any port does.
CHECK_PORT = 20000


class BufferHoldTestCase(base.TestCase):

    def test_bounds_are_the_buffer_option_defaults(self):
        conf = self.make_conf()
        self.assertEqual((conf.buffer.max_hold_time,
                          conf.buffer.max_held_requests),
                         buffer_hold.default_bounds())

    def test_files_in_kolla_custom_services_dir(self):
        directory = buffer_hold.write_files(self.config_dir)
        self.assertEqual(os.path.join(self.config_dir, 'config', 'haproxy',
                                      'services.d'), directory)
        self.assertEqual([hold_config.GLOBAL_FILE, hold_config.LUA_FILE],
                         sorted(os.listdir(directory)))
        with open(os.path.join(directory, hold_config.GLOBAL_FILE)) as cfg:
            self.assertIn('lua-load /etc/haproxy/services.d/zdu_hold.lua\n',
                          cfg.read())
        with open(os.path.join(directory, hold_config.LUA_FILE)) as lua:
            self.assertEqual(hold_config.LUA_SCRIPT, lua.read())

    def test_kolla_templating_keeps_global_file(self):
        text = buffer_hold.files()[hold_config.GLOBAL_FILE]
        rendered = jinja2.Environment(
            keep_trailing_newline=True).from_string(text).render()
        self.assertEqual(text, rendered)


@unittest.skipUnless(HAS_HAPROXY, 'needs haproxy')
class LabHoldHAProxyTestCase(base.TestCase):
    """What the lab writes makes a configuration HAProxy accepts."""

    def setUp(self):
        super().setUp()
        lab = settings_mod.LabSettings(state_dir=self.config_dir)
        builder = mock.Mock()
        builder.tag.return_value = 'abc123'
        kolla_config.write_globals(lab, builder)
        self.lines = kolla_config.read_globals(lab)[
            buffer_hold.BACKEND_EXTRA_KEY]
        self.custom_dir = buffer_hold.write_files(lab.config_dir)

    def container_files(self, services_dir):
        """Return the lab's hold files as the container would have them.

        The Lua script's path moves from the container's ``services.d`` to
        ``services_dir``.
        """
        files = {}
        for name in os.listdir(self.custom_dir):
            with open(os.path.join(self.custom_dir, name)) as source:
                files[name] = source.read().replace(
                    hold_config.CONTAINER_SERVICES_DIR, services_dir)
        return files

    def check(self, extra_files):
        haproxy = bench_lab.Lab(CHECK_PORT, 2,
                                extra_lines=self.lines,
                                extra_files=extra_files)
        self.addCleanup(haproxy.close)
        haproxy.write_config()
        return subprocess.run(haproxy.haproxy_command(check=True),
                              capture_output=True, text=True, timeout=30)

    def test_haproxy_accepts_lab_hold(self):
        self.assertEqual(4, len(self.lines))
        result = self.check(self.container_files)
        self.assertEqual(0, result.returncode, result.stdout + result.stderr)

    def test_haproxy_refuses_lines_without_lab_files(self):
        self.assertNotEqual(0, self.check(None).returncode)
