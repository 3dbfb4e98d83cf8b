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
"""The host-side wheelhouse cache of the lab's images."""

import os
import time
from unittest import mock

import fixtures
from oslotest import base

from kolla_zdu_lab import errors
from kolla_zdu_lab import wheels

REQUIREMENTS = ("keystone==29.1.0", "PyMySQL")


def fake_download(argv, timeout):
    destination = argv[argv.index("-d") + 1]
    with open(os.path.join(destination, "a-1-py3-none-any.whl"), "w"):
        pass
    return ""


class WheelhouseTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.cache_dir = self.useFixture(fixtures.TempDir()).path
        self.run = self.useFixture(fixtures.MockPatch(
            "kolla_zdu_lab.commands.run",
            side_effect=fake_download)).mock

    def test_key_depends_on_requirements_and_their_order(self):
        key = wheels.wheelhouse_key(REQUIREMENTS)
        self.assertEqual(key, wheels.wheelhouse_key(list(REQUIREMENTS)))
        self.assertNotEqual(key, wheels.wheelhouse_key(REQUIREMENTS[:1]))
        self.assertNotEqual(key,
                            wheels.wheelhouse_key(REQUIREMENTS[::-1]))

    def test_downloads_once_then_reuses(self):
        path = wheels.ensure_wheelhouse(REQUIREMENTS, self.cache_dir)
        self.assertEqual(
            os.path.join(self.cache_dir, wheels.wheelhouse_key(REQUIREMENTS)),
            path)
        self.assertEqual(["a-1-py3-none-any.whl", "requirements.txt"],
                         sorted(os.listdir(path)))
        with open(os.path.join(path, "requirements.txt")) as listed:
            self.assertEqual("keystone==29.1.0\nPyMySQL\n", listed.read())
        self.assertEqual(path,
                         wheels.ensure_wheelhouse(REQUIREMENTS,
                                                  self.cache_dir))
        self.assertEqual(1, self.run.call_count)
        self.assertEqual([os.path.basename(path)],
                         os.listdir(self.cache_dir))

    def test_failed_download_leaves_nothing(self):
        self.run.side_effect = errors.LabError(reason="no wheel")
        error = self.assertRaises(errors.LabError,
                                  wheels.ensure_wheelhouse, REQUIREMENTS,
                                  self.cache_dir)
        self.assertIn("pin a version", str(error))
        self.assertIn("keystone==29.1.0", str(error))
        self.assertEqual([], os.listdir(self.cache_dir))

    def test_concurrent_fill_wins(self):
        path = os.path.join(self.cache_dir,
                            wheels.wheelhouse_key(REQUIREMENTS))

        def fill_concurrently(argv, timeout):
            fake_download(argv, timeout)
            os.makedirs(os.path.join(path, "other"))
            return ""

        self.run.side_effect = fill_concurrently
        self.assertEqual(path, wheels.ensure_wheelhouse(REQUIREMENTS,
                                                        self.cache_dir))
        self.assertEqual(["other"], os.listdir(path))
        self.assertEqual([os.path.basename(path)],
                         os.listdir(self.cache_dir))

    def test_removes_only_old_partials(self):
        old = os.path.join(self.cache_dir, wheels.PARTIAL_PREFIX + "old")
        new = os.path.join(self.cache_dir, wheels.PARTIAL_PREFIX + "new")
        kept = os.path.join(self.cache_dir, "0123456789abcdef")
        for path in (old, new, kept):
            os.makedirs(path)
        past = time.time() - wheels.PARTIAL_MAX_AGE - 60
        os.utime(old, (past, past))
        os.utime(kept, (past, past))
        wheels.remove_stale_partials(self.cache_dir)
        self.assertEqual(sorted([os.path.basename(new),
                                 os.path.basename(kept)]),
                         sorted(os.listdir(self.cache_dir)))

    def test_download_targets_the_images_python(self):
        argv = wheels.download_argv(REQUIREMENTS, "/w")
        self.assertIn("--only-binary=:all:", argv)
        self.assertEqual("3.11", argv[argv.index("--python-version") + 1])
        self.assertEqual("cp311", argv[argv.index("--abi") + 1])
        platforms = [argv[i + 1] for i, arg in enumerate(argv)
                     if arg == "--platform"]
        self.assertEqual("manylinux_2_36_x86_64", platforms[0])
        self.assertIn("manylinux_2_17_x86_64", platforms)
        self.assertIn("manylinux2014_x86_64", platforms)
        self.assertEqual(["-d", "/w", "keystone==29.1.0", "PyMySQL"],
                         argv[-4:])

    def test_trixie_target_is_its_python_and_glibc(self):
        trixie = wheels.TARGETS["trixie"]
        argv = wheels.download_argv(REQUIREMENTS, "/w", trixie)
        self.assertEqual("3.13", argv[argv.index("--python-version") + 1])
        self.assertEqual("cp313", argv[argv.index("--abi") + 1])
        platforms = [argv[i + 1] for i, arg in enumerate(argv)
                     if arg == "--platform"]
        self.assertEqual("manylinux_2_41_x86_64", platforms[0])
        self.assertIn("manylinux_2_36_x86_64", platforms)
        self.assertIs(wheels.TARGET, wheels.TARGETS["bookworm"])

    def test_each_target_has_its_wheelhouse(self):
        bookworm = wheels.ensure_wheelhouse(REQUIREMENTS, self.cache_dir)
        trixie = wheels.ensure_wheelhouse(REQUIREMENTS, self.cache_dir,
                                          target=wheels.TARGETS["trixie"])
        self.assertNotEqual(bookworm, trixie)
        self.assertEqual(wheels.wheelhouse_key(REQUIREMENTS),
                         os.path.basename(bookworm))
        argv = self.run.call_args.args[0]
        self.assertEqual("cp313", argv[argv.index("--abi") + 1])
        self.assertEqual(2, self.run.call_count)

    def test_default_cache_dir_outlives_the_state_dir(self):
        with mock.patch("os.geteuid", return_value=0):
            self.assertEqual("/var/cache/kolla-zdu-lab/wheels",
                             wheels.default_cache_dir())
        with mock.patch("os.geteuid", return_value=1000), \
                mock.patch("os.path.expanduser", return_value="/home/u"):
            self.assertEqual("/home/u/.cache/kolla-zdu-lab/wheels",
                             wheels.default_cache_dir())

    def test_copy_falls_back_when_links_fail(self):
        source = wheels.ensure_wheelhouse(REQUIREMENTS, self.cache_dir)
        target = os.path.join(self.cache_dir, "context", "wheels")
        with mock.patch("os.link", side_effect=OSError("EXDEV")):
            wheels.copy_wheelhouse(source, target)
        self.assertEqual(sorted(os.listdir(source)),
                         sorted(os.listdir(target)))
