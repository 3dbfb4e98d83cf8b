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
"""What the lab's images are built from, per profile and release."""

from oslotest import base

from kolla_zdu_lab import image_recipes
from kolla_zdu_lab import lab
from kolla_zdu_lab import settings as settings_mod


class RecipesTestCase(base.BaseTestCase):

    def test_every_keystone_release_has_its_images(self):
        for version in settings_mod.KEYSTONE_VERSIONS:
            base_recipe = image_recipes.RECIPES["keystone-base-%s" % version]
            self.assertIn("keystone==%s" % version, base_recipe.wheels)
            for kolla_name in ("keystone", "keystone-fernet",
                               "keystone-ssh"):
                name = "%s-%s" % (kolla_name, version)
                self.assertEqual(kolla_name, image_recipes.KOLLA_IMAGES[name])
                self.assertEqual(version,
                                 image_recipes.RECIPES[name].registry_tag)
                self.assertEqual(base_recipe.name,
                                 image_recipes.RECIPES[name].parent)

    def test_every_heat_release_has_its_images(self):
        for version in settings_mod.HEAT_VERSIONS:
            base_recipe = image_recipes.RECIPES["heat-base-%s" % version]
            self.assertEqual("openstack-heat==%s" % version,
                             base_recipe.wheels[0])
            self.assertIn("python-openstackclient", base_recipe.wheels)
            self.assertEqual("base", base_recipe.parent)
            for kolla_name in ("heat-api", "heat-api-cfn", "heat-engine"):
                name = "%s-%s" % (kolla_name, version)
                self.assertEqual(kolla_name, image_recipes.KOLLA_IMAGES[name])
                self.assertEqual(version,
                                 image_recipes.RECIPES[name].registry_tag)
                self.assertEqual(base_recipe.name,
                                 image_recipes.RECIPES[name].parent)
                self.assertEqual("bookworm", image_recipes.suite_of(name))
        self.assertEqual(("extend_start.sh",),
                         image_recipes.RECIPES["heat-api-26.0.2"].kolla_files)

    def test_rabbitmq_and_its_toolbox_are_built_on_trixie(self):
        for name in ("rabbitmq", "kolla-toolbox-trixie"):
            self.assertEqual("trixie", image_recipes.suite_of(name))
            self.assertEqual("base-trixie", image_recipes.RECIPES[name].parent)
        self.assertEqual("rootfs-trixie",
                         image_recipes.RECIPES["base-trixie"].parent)
        self.assertEqual("kolla-toolbox",
                         image_recipes.KOLLA_IMAGES["kolla-toolbox-trixie"])
        self.assertEqual(image_recipes.TOOLBOX_WHEELS,
                         image_recipes.RECIPES["kolla-toolbox-trixie"].wheels)
        self.assertEqual("bookworm", image_recipes.suite_of("kolla-toolbox"))


class ReleaseImagesTestCase(base.BaseTestCase):
    """A release is every kolla image of the profile, under a new ID."""

    def test_every_kolla_image_of_a_profile_has_a_release_image(self):
        for profile in settings_mod.PROFILES:
            for release in settings_mod.RELEASES:
                found = image_recipes.release_images(profile, release)
                self.assertIn('haproxy', found.values())
                self.assertIn('keepalived', found.values())
                for name, of in found.items():
                    recipe = image_recipes.RECIPES[name]
                    self.assertEqual(of, recipe.parent)
                    self.assertEqual(release, recipe.registry_tag)
                    self.assertEqual(image_recipes.KOLLA_IMAGES[of],
                                     image_recipes.KOLLA_IMAGES[name])
                    self.assertIn(('ZDU_LAB_RELEASE', release),
                                  recipe.build_args)
        keystone = image_recipes.release_images('keystone', '2026.2')
        self.assertIn('keystone-30.0.0', keystone.values())
        self.assertIn('memcached', keystone.values())
        self.assertEqual({'zdu-demo-v1'}, set(image_recipes.release_images(
            'demo', '2026.1').values()) - {'haproxy', 'keepalived'})

    def test_every_heat_profile_image_is_new_in_each_release(self):
        for release, heat, keystone in (('2026.1', '26.0.2', '29.1.0'),
                                        ('2026.2', '27.0.1', '30.0.0')):
            found = set(image_recipes.release_images('heat', release).values())
            self.assertEqual(
                {'haproxy', 'keepalived', 'memcached', 'cron', 'rabbitmq',
                 'kolla-toolbox-trixie', 'keystone-%s' % keystone,
                 'keystone-fernet-%s' % keystone,
                 'keystone-ssh-%s' % keystone, 'heat-api-%s' % heat,
                 'heat-api-cfn-%s' % heat, 'heat-engine-%s' % heat},
                found)
        self.assertEqual(
            {'release-2026.2-keystone-api-30.0.0':
             ('keystone-30.0.0', 'keystone-api')},
            image_recipes.release_renamed_images('heat', '2026.2'))

    def test_the_heat_profile_builds_its_images_before_their_releases(self):
        names = lab.image_names('heat')
        self.assertEqual(len(names), len(set(names)))
        for name in ('rabbitmq', 'kolla-toolbox-trixie', 'heat-api-26.0.2',
                     'heat-engine-27.0.1', 'keystone-30.0.0',
                     'mariadb-server'):
            self.assertIn(name, names)
        self.assertNotIn('kolla-toolbox', names)
        for name in names:
            if name.startswith('release-'):
                parent = image_recipes.RECIPES[name].parent
                self.assertLess(names.index(parent), names.index(name))
