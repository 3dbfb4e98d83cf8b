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
"""The keystone profile: its database, readiness and the probe's account.

kolla-ansible deploys keystone with its own roles; the lab only does what
an operator does around that: create the database beforehand (kolla's
``use_preconfigured_databases``), wait for the API, and give the probe a
user of its own, written to ``clouds.yaml`` in the state directory.
"""

import json
import logging
import os
import secrets
import subprocess
import time
import urllib.error
import urllib.request

import yaml

from kolla_zdu_lab import database
from kolla_zdu_lab import deploy
from kolla_zdu_lab import dockercli
from kolla_zdu_lab import errors
from kolla_zdu_lab import kolla_config
from kolla_zdu_lab import release_host

LOG = logging.getLogger(__name__)
PROBE_CLOUD = "kolla-zdu-lab"
ADMIN_CLOUD = "kolla-zdu-lab-admin"
PROBE_NAME = "zdu-probe"
PROBE_ROLE = "member"
REQUEST_TIMEOUT = 10


def read_passwords(lab_settings):
    """Return the lab's passwords.yml as a dict."""
    path = os.path.join(lab_settings.config_dir, "passwords.yml")
    try:
        with open(path) as source:
            return yaml.safe_load(source) or {}
    except FileNotFoundError:
        raise errors.LabError(
            reason="%s is missing; run `kolla-zdu-lab up`" % path)


def ensure_database(lab_settings, builder):
    """Run the lab's MariaDB with keystone's database and user in it."""
    passwords = read_passwords(lab_settings)
    database.ensure_database(
        lab_settings, builder, passwords["database_password"],
        [("keystone", "keystone", passwords["keystone_database_password"])])


def api_version(url, timeout=REQUEST_TIMEOUT):
    """Return the identity API version keystone's ``url`` answers.

    :raises LabError: if it does not answer a version document.
    """
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return json.load(reply)["version"]["id"]
    except (urllib.error.URLError, OSError, ValueError, KeyError) as error:
        raise errors.LabError(reason="%s: %s" % (url, error))


def wait_ready(lab_settings, timeout):
    """Wait until keystone answers its version document through the VIP."""
    url = lab_settings.keystone_url
    deadline = time.monotonic() + timeout
    while True:
        try:
            version = api_version(url)
            LOG.info("%s answers %s", url, version)
            return version
        except errors.LabError as error:
            if time.monotonic() > deadline:
                raise errors.LabError(
                    reason="keystone did not answer %s within %d s (%s); "
                           "see `kolla-zdu-lab status` and "
                           "/var/log/kolla/keystone/ on the nodes"
                           % (url, timeout, error))
            time.sleep(2)


def clouds_path(lab_settings):
    """Return the path of the lab's clouds.yaml."""
    return lab_settings.path("clouds.yaml")


def read_clouds(lab_settings):
    """Return the ``clouds`` of the lab's clouds.yaml, or an empty dict."""
    try:
        with open(clouds_path(lab_settings)) as source:
            return (yaml.safe_load(source) or {}).get("clouds", {})
    except FileNotFoundError:
        return {}


def cloud_entry(lab_settings, username, password, project):
    """Return one clouds.yaml entry for the lab's keystone."""
    return {"auth": {"auth_url": lab_settings.keystone_url,
                     "username": username, "password": password,
                     "project_name": project,
                     "user_domain_name": "Default",
                     "project_domain_name": "Default"},
            "identity_api_version": 3,
            "region_name": "RegionOne"}


def _admin_session(lab_settings, admin_password):
    from keystoneauth1.identity import v3
    from keystoneauth1 import session

    auth = v3.Password(auth_url=lab_settings.keystone_url,
                       username="admin", password=admin_password,
                       project_name="admin", user_domain_name="Default",
                       project_domain_name="Default")
    return session.Session(auth=auth, timeout=REQUEST_TIMEOUT)


def _find_or_create(admin, url, collection, name, body):
    found = admin.get("%s/%s" % (url, collection),
                      params={"name": name}).json()
    if found[collection]:
        return found[collection][0]["id"], False
    created = admin.post("%s/%s" % (url, collection),
                         json={collection[:-1]: dict(body, name=name)}).json()
    return created[collection[:-1]]["id"], True


def ensure_probe_account(lab_settings):
    """Give the probe a project, a user and the member role on it.

    The password is kept in the lab's clouds.yaml, which also gets the
    admin's entry; a rerun reuses both.

    :returns: the probe's cloud name in clouds.yaml.
    """
    from keystoneauth1 import exceptions as ksa_exceptions

    clouds = read_clouds(lab_settings)
    known = clouds.get(PROBE_CLOUD, {}).get("auth", {})
    password = known.get("password") or secrets.token_urlsafe(18)
    admin_password = read_passwords(lab_settings)["keystone_admin_password"]
    try:
        _ensure_probe_user(_admin_session(lab_settings, admin_password),
                           lab_settings.keystone_url, password)
    except ksa_exceptions.ClientException as error:
        raise errors.LabError(
            reason="cannot create the probe's user %s in keystone at %s as "
                   "admin: %s" % (PROBE_NAME, lab_settings.keystone_url,
                                  error))
    clouds[PROBE_CLOUD] = cloud_entry(lab_settings, PROBE_NAME, password,
                                      PROBE_NAME)
    clouds[ADMIN_CLOUD] = cloud_entry(lab_settings, "admin", admin_password,
                                      "admin")
    path = clouds_path(lab_settings)
    with open(path + ".tmp", "w") as output:
        os.chmod(path + ".tmp", 0o600)
        yaml.safe_dump({"clouds": clouds}, output, default_flow_style=False)
    os.replace(path + ".tmp", path)
    LOG.info("probe account %s ready; clouds.yaml: %s", PROBE_NAME, path)
    return PROBE_CLOUD


def _ensure_probe_user(admin, url, password):
    project_id, _ = _find_or_create(admin, url, "projects", PROBE_NAME,
                                    {"domain_id": "default"})
    user_id, created = _find_or_create(
        admin, url, "users", PROBE_NAME,
        {"domain_id": "default", "password": password,
         "default_project_id": project_id})
    if not created:
        admin.patch("%s/users/%s" % (url, user_id),
                    json={"user": {"password": password}})
    roles = admin.get("%s/roles" % url,
                      params={"name": PROBE_ROLE}).json()["roles"]
    if not roles:
        raise errors.LabError(
            reason="keystone has no role %r; keystone-manage bootstrap "
                   "creates it" % PROBE_ROLE)
    admin.put("%s/projects/%s/users/%s/roles/%s"
              % (url, project_id, user_id, roles[0]["id"]))


# keystone's API container: kolla-ansible 23 renamed it keystone_api, and
# its upgrade removes the container of the old name.
API_CONTAINERS = ("keystone_api", "keystone")
API_RENAMED_IN = 23
RENAMED_HAPROXY_CONFIG = "/etc/kolla/haproxy/services.d/keystone-api.cfg"


def api_container(name):
    """Return the name of node ``name``'s keystone API container.

    :returns: the newest name a container of node ``name`` has, else the
        oldest (which then names a missing container in errors).
    """
    output = dockercli.node_exec(name, "docker", "ps", "-a", "--format",
                                 "{{.Names}}", check=False)
    present = set(output.split())
    return next((container for container in API_CONTAINERS
                 if container in present), API_CONTAINERS[-1])


def node_release(name):
    """Return the keystone release node ``name``'s container runs, or None."""
    output = dockercli.node_exec(
        name, "docker", "exec", api_container(name), "keystone-manage",
        "--version", check=False)
    return output.strip() or None


def remove_renamed_api(lab_settings):
    """Remove kolla-ansible 23's keystone_api containers, for 22 to deploy.

    Going back to a release of kolla-ansible 22 starts ``keystone`` on the
    port ``keystone_api`` holds, so ``keystone_api`` goes first, with its
    systemd unit, as kolla-ansible 23's upgrade removes ``keystone``; and
    so does the HAProxy configuration 23 renders for it, whose frontend
    and backend names are those 22 renders in ``keystone.cfg``.
    """
    new, old = API_CONTAINERS
    unit = "kolla-%s-container.service" % new
    for name in lab_settings.node_names():
        dockercli.node_exec(name, "rm", "-f", RENAMED_HAPROXY_CONFIG,
                            check=False)
        if api_container(name) != new:
            continue
        LOG.info("%s: removing %s, which kolla-ansible 22 does not know",
                 name, new)
        dockercli.node_exec(
            name, "sh", "-c",
            "systemctl disable --now %s; docker rm -f %s; "
            "rm -f /etc/systemd/system/%s; systemctl daemon-reload"
            % (unit, new, unit), check=False)


def database_status(name):
    """Return ``(exit code, output)`` of ``keystone-manage db_sync --check``.

    Keystone exits 0 when the database is expanded, migrated and
    contracted to the release in the container, and non-zero while a step
    is still due.
    """
    result = subprocess.run(
        [dockercli.DOCKER, "exec", name, "docker", "exec",
         api_container(name),
         "keystone-manage", "--config-file", "/etc/keystone/keystone.conf",
         "db_sync", "--check"], stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, universal_newlines=True, timeout=120)
    return result.returncode, result.stdout


def snapshot_path(lab_settings, version):
    """Return the path of the database dump taken at keystone ``version``."""
    return lab_settings.path("keystone-db-%s.sql" % version)


def save_snapshot(lab_settings, version):
    """Dump keystone's database as it is at ``version``, once.

    :returns: the dump's path.
    """
    path = snapshot_path(lab_settings, version)
    if os.path.exists(path):
        return path
    dump = dockercli.docker("exec", database.CONTAINER_NAME, "mariadb-dump",
                            "--single-transaction", "--databases", "keystone")
    with open(path + ".tmp", "w") as output:
        output.write(dump)
    os.replace(path + ".tmp", path)
    LOG.info("keystone's database at %s saved to %s", version, path)
    return path


def restore_release(lab_settings, version, timeout):
    """Go back to keystone ``version`` as an operator would.

    Keystone's migrations only go forward, so the lab restores the database
    dump taken at that release, then runs ``kolla-ansible deploy`` with it.

    :param version: a keystone version, or a release: every image then
        goes back to that release.
    """
    path = snapshot_path(lab_settings,
                         kolla_config.service_version(lab_settings, version))
    if not os.path.exists(path):
        raise errors.LabError(
            reason="no database dump of keystone %s in %s; `kolla-zdu-lab "
                   "up --profile keystone` takes one when it deploys %s"
                   % (version, lab_settings.state_dir, version))
    with open(path, "rb") as dump:
        LOG.info("restoring keystone's database from %s", path)
        dockercli.docker("exec", "-i", database.CONTAINER_NAME, "mariadb",
                         input_bytes=dump.read())
    kolla_config.set_target(lab_settings, version)
    host = release_host.for_target(lab_settings)
    if int(host.version.split(".")[0]) < API_RENAMED_IN:
        remove_renamed_api(lab_settings)
    deploy.run_kolla_ansible(lab_settings, "deploy")
    wait_ready(lab_settings, timeout)
