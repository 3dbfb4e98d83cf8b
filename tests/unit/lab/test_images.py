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
"""Building the lab's images: inputs, wheelhouses, roots, commands."""

import dataclasses
from unittest import mock

import fixtures
from oslotest import base

from kolla_zdu_lab import errors
from kolla_zdu_lab import image_recipes
from kolla_zdu_lab import images
from kolla_zdu_lab import settings as settings_mod
from kolla_zdu_lab import wheels


class InputsTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.builder = images.ImageBuilder(
            settings_mod.LabSettings(state_dir="/nonexistent"))

    def test_the_toolbox_wheels_are_for_trixies_python(self):
        recipe = image_recipes.RECIPES["kolla-toolbox-trixie"]
        ensure = self.useFixture(fixtures.MockPatch(
            "kolla_zdu_lab.wheels.ensure_wheelhouse",
            return_value="/wheels")).mock
        self.useFixture(fixtures.MockPatch(
            "kolla_zdu_lab.wheels.copy_wheelhouse"))
        self.useFixture(fixtures.MockPatch(
            "kolla_zdu_lab.kolla_sources.docker_dir",
            return_value=self.useFixture(fixtures.TempDir()).path))
        self.useFixture(fixtures.MockPatch("shutil.copy"))
        self.useFixture(fixtures.MockPatch("os.makedirs"))
        self.builder._fill_context(recipe, "/context")
        self.assertEqual(wheels.TARGETS["trixie"],
                         ensure.call_args.kwargs["target"])
        self.assertEqual("cp313", ensure.call_args.kwargs["target"]["abi"])

    def test_the_bookworm_root_keeps_its_tag(self):
        self.assertEqual(
            images.digest(dict(image_recipes.ROOTFS_SPEC,
                               mirror="http://deb.debian.org/debian")),
            self.builder.tag("rootfs"))
        self.assertNotEqual(self.builder.tag("rootfs"),
                            self.builder.tag("rootfs-trixie"))
        self.assertEqual("kolla-zdu-lab/rootfs-trixie",
                         self.builder.reference("rootfs-trixie")
                         .rsplit(":", 1)[0])

    def test_debootstrap_includes_what_the_suite_lacks(self):
        self.assertEqual(
            ["debootstrap", "--variant=minbase", "bookworm", "/r", "M"],
            images.debootstrap_argv(image_recipes.ROOTFS_SPECS["rootfs"],
                                    "/r", "M"))
        self.assertEqual(
            ["debootstrap", "--variant=minbase", "--include=adduser",
             "trixie", "/r", "M"],
            images.debootstrap_argv(
                image_recipes.ROOTFS_SPECS["rootfs-trixie"], "/r", "M"))

    def test_wheels_are_inputs_only_of_recipes_that_have_them(self):
        self.assertNotIn("wheels",
                         self.builder._inputs(
                             image_recipes.RECIPES["haproxy"]))
        recipe = image_recipes.RECIPES["keystone-base-29.1.0"]
        self.assertEqual(list(recipe.wheels),
                         self.builder._inputs(recipe)["wheels"])

    def test_changed_requirements_change_the_tag(self):
        recipe = image_recipes.RECIPES["kolla-toolbox"]
        changed = dataclasses.replace(recipe,
                                      wheels=recipe.wheels + ("pyyaml",))
        self.assertNotEqual(images.digest(self.builder._inputs(recipe)),
                            images.digest(self.builder._inputs(changed)))


class BuildCommandTestCase(base.BaseTestCase):
    """``docker build`` with the CPU weight the environment asks for."""

    def builder(self, value=None):
        if value is not None:
            self.useFixture(fixtures.EnvironmentVariable(
                images.CPU_SHARES_VARIABLE, value))
        else:
            self.useFixture(fixtures.EnvironmentVariable(
                images.CPU_SHARES_VARIABLE))
        return images.ImageBuilder(
            settings_mod.LabSettings(state_dir="/nonexistent"))

    def argv(self, builder):
        recipe = image_recipes.RECIPES["heat-base-26.0.2"]
        with mock.patch.object(builder, "reference", return_value="P:1"):
            return builder.build_argv(recipe, "kolla-zdu-lab/heat-base:x")

    def test_docker_decides_by_default(self):
        argv = self.argv(self.builder())
        self.assertNotIn("--cpu-shares", argv)
        self.assertEqual(["docker", "build", "--force-rm"], argv[:3])
        self.assertIn("HEAT_VERSION=26.0.2", argv)

    def test_the_variable_sets_the_weight(self):
        argv = self.argv(self.builder("2"))
        self.assertEqual(["docker", "build", "--force-rm", "--cpu-shares",
                          "2", "--label"], argv[:6])

    def test_an_argument_wins_over_the_variable(self):
        self.useFixture(fixtures.EnvironmentVariable(
            images.CPU_SHARES_VARIABLE, "512"))
        builder = images.ImageBuilder(
            settings_mod.LabSettings(state_dir="/nonexistent"),
            cpu_shares=2)
        self.assertEqual("2", self.argv(builder)[4])

    def test_a_weight_docker_refuses_is_an_error(self):
        for value in ("1", "low", "-5"):
            error = self.assertRaises(errors.LabError, self.builder, value)
            self.assertIn(images.CPU_SHARES_VARIABLE, str(error))
            self.assertIn(repr(value), str(error))
        self.assertIsNone(self.builder("").cpu_shares)
