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
"""The keystone profile's image recipes and their wheelhouses."""

import dataclasses

from oslotest import base

from kolla_zdu_lab import images
from kolla_zdu_lab import settings as settings_mod


class RecipesTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.builder = images.ImageBuilder(
            settings_mod.LabSettings(state_dir="/nonexistent"))

    def test_every_keystone_release_has_its_images(self):
        for version in settings_mod.KEYSTONE_VERSIONS:
            base_recipe = images.RECIPES["keystone-base-%s" % version]
            self.assertIn("keystone==%s" % version, base_recipe.wheels)
            for kolla_name in ("keystone", "keystone-fernet",
                               "keystone-ssh"):
                name = "%s-%s" % (kolla_name, version)
                self.assertEqual(kolla_name, images.KOLLA_IMAGES[name])
                self.assertEqual(version, images.RECIPES[name].registry_tag)
                self.assertEqual(base_recipe.name,
                                 images.RECIPES[name].parent)

    def test_wheels_are_inputs_only_of_recipes_that_have_them(self):
        self.assertNotIn("wheels",
                         self.builder._inputs(images.RECIPES["haproxy"]))
        recipe = images.RECIPES["keystone-base-29.1.0"]
        self.assertEqual(list(recipe.wheels),
                         self.builder._inputs(recipe)["wheels"])

    def test_changed_requirements_change_the_tag(self):
        recipe = images.RECIPES["kolla-toolbox"]
        changed = dataclasses.replace(recipe,
                                      wheels=recipe.wheels + ("pyyaml",))
        self.assertNotEqual(images.digest(self.builder._inputs(recipe)),
                            images.digest(self.builder._inputs(changed)))


class ReleaseImagesTestCase(base.BaseTestCase):
    """A release is every kolla image of the profile, under a new ID."""

    def test_every_kolla_image_of_a_profile_has_a_release_image(self):
        for profile in settings_mod.PROFILES:
            for release in settings_mod.RELEASES:
                found = images.release_images(profile, release)
                self.assertIn('haproxy', found.values())
                self.assertIn('keepalived', found.values())
                for name, of in found.items():
                    recipe = images.RECIPES[name]
                    self.assertEqual(of, recipe.parent)
                    self.assertEqual(release, recipe.registry_tag)
                    self.assertEqual(images.KOLLA_IMAGES[of],
                                     images.KOLLA_IMAGES[name])
                    self.assertIn(('ZDU_LAB_RELEASE', release),
                                  recipe.build_args)
        keystone = images.release_images('keystone', '2026.2')
        self.assertIn('keystone-30.0.0', keystone.values())
        self.assertIn('memcached', keystone.values())
        self.assertEqual({'zdu-demo-v1'}, set(images.release_images(
            'demo', '2026.1').values()) - {'haproxy', 'keepalived'})
