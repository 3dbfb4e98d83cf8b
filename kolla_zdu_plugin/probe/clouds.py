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
"""Clouds of a clouds.yaml file, read as openstacksdk reads them.

The files are looked for where openstacksdk looks (the current directory,
``~/.config/openstack`` and ``/etc/openstack``), unless one is named with
``--os-client-config-file``. A ``secure.yaml`` found in the same places is
merged into the cloud, so passwords may be kept apart.
"""

import os

import yaml

from kolla_zdu_plugin import exceptions

CONFIG_DIRS = (os.curdir, os.path.join("~", ".config", "openstack"),
               os.path.join(os.sep, "etc", "openstack"))
CONFIG_NAMES = ("clouds.yaml", "clouds.yml")
SECURE_NAMES = ("secure.yaml", "secure.yml")


def find_cloud(name, config_file=None):
    """Return the settings of cloud name and the file they come from.

    :param config_file: read only this file; by default the first
        clouds.yaml of :data:`CONFIG_DIRS`.
    :returns: (the cloud's dict, merged with secure.yaml, path of the file).
    :raises ProbeError: when no file, or no such cloud, is found.
    """
    path = config_file or first_existing(CONFIG_NAMES)
    if path is None:
        raise exceptions.ProbeError(
            reason="--os-cloud %s: no clouds.yaml in %s; name the file with "
                   "--os-client-config-file" % (name, ", ".join(CONFIG_DIRS)))
    clouds = read_clouds(path)
    if name not in clouds:
        raise exceptions.ProbeError(
            reason="--os-cloud %s: no such cloud in %s (clouds: %s)"
                   % (name, path, ", ".join(sorted(clouds)) or "none"))
    cloud = dict(clouds[name])
    secure_path = first_existing(SECURE_NAMES)
    if secure_path is not None:
        cloud = merge(cloud, read_clouds(secure_path).get(name, {}))
    return cloud, path


def first_existing(names):
    """Return the first file of names in :data:`CONFIG_DIRS`, or None."""
    for directory in CONFIG_DIRS:
        for name in names:
            path = os.path.join(os.path.expanduser(directory), name)
            if os.path.isfile(path):
                return path
    return None


def read_clouds(path):
    """Return the ``clouds`` mapping of a clouds.yaml or secure.yaml file."""
    try:
        with open(path, encoding="utf-8") as clouds_file:
            data = yaml.safe_load(clouds_file)
    except (OSError, yaml.YAMLError) as exc:
        raise exceptions.ProbeError(
            reason="cannot read %s: %s" % (path, exc))
    clouds = (data or {}).get("clouds") if isinstance(data, dict) else None
    if not isinstance(clouds, dict) or not all(
            isinstance(cloud, dict) for cloud in clouds.values()):
        raise exceptions.ProbeError(
            reason="%s has no 'clouds' mapping of cloud names to settings"
                   % path)
    return clouds


def merge(base, override):
    """Return base with override merged into it, mappings recursively."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            value = merge(merged[key], value)
        merged[key] = value
    return merged
