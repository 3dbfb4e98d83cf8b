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
"""Wheelhouses for the lab's images, downloaded on the host.

Containers cannot reach PyPI over HTTPS, so the host downloads the binary
wheels an image needs (for the image's Python: Debian bookworm's CPython
3.11, or trixie's 3.13, on x86_64) and the image installs them with
``pip --no-index``.

A wheelhouse is named by a hash of its requirements and target, and kept
outside the lab state directory, so ``kolla-zdu-lab down`` keeps it. It is
filled in a scratch directory and renamed into place, so an interrupted
download never leaves a partial wheelhouse behind.
"""

import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import time

from kolla_zdu_lab import commands
from kolla_zdu_lab import errors

LOG = logging.getLogger(__name__)
REQUIREMENTS_FILE = "requirements.txt"
PARTIAL_PREFIX = ".partial-"
PARTIAL_MAX_AGE = 6 * 3600
DOWNLOAD_TIMEOUT = 1800
KEY_LENGTH = 16
# The images' Python: Debian bookworm's python3 (3.11), glibc 2.36.
TARGET = {"python_version": "3.11", "implementation": "cp", "abi": "cp311",
          "glibc": [2, 36], "arch": "x86_64"}
# The Python of the images built on each Debian suite.
TARGETS = {"bookworm": TARGET,
           "trixie": {"python_version": "3.13", "implementation": "cp",
                      "abi": "cp313", "glibc": [2, 41], "arch": "x86_64"}}


def default_cache_dir():
    """Return where wheelhouses are kept: system-wide for root."""
    if os.geteuid() == 0:
        return "/var/cache/kolla-zdu-lab/wheels"
    return os.path.join(os.path.expanduser("~"), ".cache", "kolla-zdu-lab",
                        "wheels")


def wheelhouse_key(requirements, target=TARGET):
    """Return the name of the wheelhouse of ``requirements`` for ``target``."""
    document = json.dumps({"requirements": list(requirements),
                           "target": target}, sort_keys=True)
    return hashlib.sha256(document.encode()).hexdigest()[:KEY_LENGTH]


def platforms(target=TARGET):
    """Return the wheel platform tags the ``target`` glibc can load.

    pip does not widen a ``--platform`` to older manylinux tags, so every
    one is listed, newest first, with the legacy aliases.
    """
    major, newest = target["glibc"]
    arch = target["arch"]
    tags = ["manylinux_%d_%d_%s" % (major, minor, arch)
            for minor in range(newest, 4, -1)]
    return tags + ["manylinux%s_%s" % (alias, arch)
                   for alias in ("2014", "2010", "1")]


def download_argv(requirements, destination, target=TARGET):
    """Return the pip command that downloads the wheels into destination."""
    argv = [sys.executable, "-m", "pip", "download",
            "--disable-pip-version-check", "--only-binary=:all:",
            "--python-version", target["python_version"],
            "--implementation", target["implementation"],
            "--abi", target["abi"]]
    for platform in platforms(target):
        argv += ["--platform", platform]
    return argv + ["-d", destination] + list(requirements)


def ensure_wheelhouse(requirements, cache_dir=None, log_path=None,
                      target=TARGET):
    """Return a directory holding the wheels of ``requirements``.

    The directory also holds ``requirements.txt``, to install them with
    ``pip install --no-index --find-links DIR -r DIR/requirements.txt``.

    :param requirements: pip requirement strings, e.g. ``keystone==29.1.0``.
    :param cache_dir: where wheelhouses are kept; the default survives
        ``kolla-zdu-lab down``.
    :param log_path: the file pip's output goes to.
    :param target: the Python the wheels are for (see ``TARGETS``).
    :raises LabError: if pip cannot download every wheel.
    """
    cache_dir = cache_dir or default_cache_dir()
    path = os.path.join(cache_dir, wheelhouse_key(requirements, target))
    if os.path.isdir(path):
        LOG.debug("wheelhouse %s is cached", path)
        return path
    os.makedirs(cache_dir, exist_ok=True)
    remove_stale_partials(cache_dir)
    partial = tempfile.mkdtemp(prefix=PARTIAL_PREFIX, dir=cache_dir)
    try:
        _download(requirements, partial, log_path, target)
        os.chmod(partial, 0o755)
        try:
            os.rename(partial, path)
        except OSError:
            if not os.path.isdir(path):
                raise
            LOG.debug("wheelhouse %s was filled concurrently", path)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return path


def _download(requirements, destination, log_path, target):
    LOG.info("downloading %s wheels for %s", target["abi"],
             " ".join(requirements))
    argv = download_argv(requirements, destination, target)
    try:
        if log_path:
            commands.run_logged(argv, log_path, timeout=DOWNLOAD_TIMEOUT,
                                what="pip download")
        else:
            commands.run(argv, timeout=DOWNLOAD_TIMEOUT)
    except errors.LabError as error:
        raise errors.LabError(
            reason="cannot download binary wheels for %s manylinux %s of "
                   "%s: %s. If a package has no binary wheel, pin a version "
                   "that has one in the image's recipe"
                   % (target["abi"], target["arch"], ", ".join(requirements),
                      error))
    with open(os.path.join(destination, REQUIREMENTS_FILE), "w") as output:
        output.write("".join("%s\n" % line for line in requirements))


def remove_stale_partials(cache_dir, max_age=PARTIAL_MAX_AGE):
    """Delete scratch directories that interrupted downloads left."""
    now = time.time()
    for name in os.listdir(cache_dir):
        path = os.path.join(cache_dir, name)
        if (name.startswith(PARTIAL_PREFIX) and os.path.isdir(path)
                and now - os.path.getmtime(path) > max_age):
            LOG.debug("removing stale partial wheelhouse %s", path)
            shutil.rmtree(path, ignore_errors=True)


def copy_wheelhouse(source, destination):
    """Copy a wheelhouse into a build context, hard-linking if possible."""
    shutil.copytree(source, destination, copy_function=_link_or_copy)


def _link_or_copy(source, destination):
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)
