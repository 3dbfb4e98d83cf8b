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
"""kolla's image sources (kolla_start, set_configs.py, ...), from PyPI.

The lab's images install kolla's own scripts, unchanged. They come from the
``kolla`` package: an installed one if there is, else its wheel, which the
lab downloads with pip (without dependencies) and unpacks.
"""

import importlib.metadata
import logging
import os
import sys
import zipfile

from kolla_zdu_lab import commands
from kolla_zdu_lab import errors

LOG = logging.getLogger(__name__)


def installed_version():
    """Return the installed kolla version, or None."""
    try:
        return importlib.metadata.version("kolla")
    except importlib.metadata.PackageNotFoundError:
        return None


def wanted_version():
    """Return the kolla version whose sources the lab uses.

    An installed kolla wins; otherwise the release of the same number as
    kolla-ansible, as the two projects release together.
    """
    return installed_version() or importlib.metadata.version("kolla-ansible")


def docker_dir(cache_dir, version=None):
    """Return kolla's ``docker`` directory, fetching it if needed.

    :param cache_dir: where to download and unpack the kolla wheel.
    :param version: the kolla release; :func:`wanted_version` by default.
    """
    version = version or wanted_version()
    if installed_version() == version:
        path = os.path.join(sys.prefix, "share", "kolla", "docker")
        if os.path.isdir(os.path.join(path, "base")):
            return path
    target = os.path.join(cache_dir, "kolla-%s" % version)
    path = os.path.join(target, "docker")
    if not os.path.isdir(os.path.join(path, "base")):
        unpack_wheel(download_wheel(version, cache_dir), version, target)
    return path


def download_wheel(version, cache_dir):
    """Download the kolla wheel of ``version`` into ``cache_dir``."""
    wheel = os.path.join(cache_dir, "kolla-%s-py3-none-any.whl" % version)
    if os.path.isfile(wheel):
        return wheel
    LOG.info("downloading kolla %s's image sources from PyPI", version)
    os.makedirs(cache_dir, exist_ok=True)
    commands.run([sys.executable, "-m", "pip", "download", "--no-deps",
                  "--only-binary=:all:", "--disable-pip-version-check",
                  "-d", cache_dir, "kolla==%s" % version], timeout=300)
    if not os.path.isfile(wheel):
        raise errors.LabError(
            reason="pip did not leave %s; install kolla==%s in this Python "
                   "environment instead" % (wheel, version))
    return wheel


def unpack_wheel(wheel, version, target):
    """Unpack the wheel's ``docker`` tree of image sources into ``target``.

    kolla 22 ships it as data files (``share/kolla/docker``), kolla 23 in
    its package (``kolla/docker``).
    """
    prefixes = ("kolla-%s.data/data/share/kolla/" % version, "kolla/")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        for prefix in prefixes:
            members = [name for name in names
                       if name.startswith(prefix + "docker/")]
            if members:
                break
        else:
            raise errors.LabError(
                reason="%s holds no image sources under %s"
                       % (wheel, " or ".join(prefixes)))
        for name in members:
            destination = os.path.join(target, name[len(prefix):])
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            with archive.open(name) as source, \
                    open(destination, "wb") as output:
                output.write(source.read())
