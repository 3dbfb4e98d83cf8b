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
user of its own, written to ``clouds.yaml`` in the state directory. The
heat profile (``heat_lab``) runs this keystone too.
"""

import http
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
from kolla_zdu_lab import dockercli
from kolla_zdu_lab import errors

LOG = logging.getLogger(__name__)
PROBE_CLOUD = "kolla-zdu-lab"
ADMIN_CLOUD = "kolla-zdu-lab-admin"
PROBE_NAME = "zdu-probe"
PROBE_ROLE = "member"
# The roles the probe has on its project, each with what creates it.
PROBE_ROLES = ((PROBE_ROLE, "keystone-manage bootstrap"),)
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


def database_grants(passwords):
    """Return keystone's (database, user, password) for the lab's MariaDB."""
    return [("keystone", "keystone", passwords["keystone_database_password"])]


def ensure_database(lab_settings, builder):
    """Run the lab's MariaDB with keystone's database and user in it."""
    passwords = read_passwords(lab_settings)
    database.ensure_database(lab_settings, builder,
                             passwords["database_password"],
                             database_grants(passwords))


def api_document(url, timeout=REQUEST_TIMEOUT):
    """Return the JSON document an API answers at ``url``.

    A version list comes with 300 Multiple Choices (heat's), which counts
    as an answer.

    :raises LabError: if it does not answer JSON.
    """
    try:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as reply:
                return json.load(reply)
        except urllib.error.HTTPError as error:
            if error.code != http.HTTPStatus.MULTIPLE_CHOICES:
                raise
            with error:
                return json.load(error)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise errors.LabError(reason="%s: %s" % (url, error))


def api_version(url, timeout=REQUEST_TIMEOUT):
    """Return the identity API version keystone's ``url`` answers.

    :raises LabError: if it does not answer a version document.
    """
    try:
        return api_document(url, timeout)["version"]["id"]
    except (KeyError, TypeError) as error:
        raise errors.LabError(reason="%s: no version in its answer (%s)"
                              % (url, error))


def wait_for_answer(url, answer, timeout, hint):
    """Wait until ``answer(url)`` returns, retrying on LabError.

    :param hint: where to look when it does not, for the error message.
    :returns: what ``answer`` returned.
    :raises LabError: after ``timeout`` seconds of failed answers.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = answer(url)
            LOG.info("%s answers %s", url, found)
            return found
        except errors.LabError as error:
            if time.monotonic() > deadline:
                raise errors.LabError(
                    reason="%s did not answer within %d s (%s); see "
                           "`kolla-zdu-lab status` and %s"
                           % (url, timeout, errors.reason_of(error), hint))
            time.sleep(2)


def wait_ready(lab_settings, timeout):
    """Wait until keystone answers its version document through the VIP."""
    return wait_for_answer(lab_settings.keystone_url, api_version, timeout,
                           "/var/log/kolla/keystone/ on the nodes")


def vip_serves(lab_settings):
    """Return keystone's API version through the VIP, or why it does not."""
    try:
        return "identity %s" % api_version(lab_settings.keystone_url,
                                           timeout=5)
    except errors.LabError as error:
        return "no answer (%s)" % errors.reason_of(error)


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


def ensure_probe_account(lab_settings, roles=PROBE_ROLES):
    """Give the probe a project, a user and ``roles`` on the project.

    The password is kept in the lab's clouds.yaml, which also gets the
    admin's entry; a rerun reuses both.

    :param roles: (role name, what creates the role) pairs; the member
        role by default.
    :returns: the probe's cloud name in clouds.yaml.
    """
    from keystoneauth1 import exceptions as ksa_exceptions

    clouds = read_clouds(lab_settings)
    known = clouds.get(PROBE_CLOUD, {}).get("auth", {})
    password = known.get("password") or secrets.token_urlsafe(18)
    admin_password = read_passwords(lab_settings)["keystone_admin_password"]
    try:
        _ensure_probe_user(_admin_session(lab_settings, admin_password),
                           lab_settings.keystone_url, password, roles)
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


def _ensure_probe_user(admin, url, password, roles):
    project_id, _ = _find_or_create(admin, url, "projects", PROBE_NAME,
                                    {"domain_id": "default"})
    user_id, created = _find_or_create(
        admin, url, "users", PROBE_NAME,
        {"domain_id": "default", "password": password,
         "default_project_id": project_id})
    if not created:
        admin.patch("%s/users/%s" % (url, user_id),
                    json={"user": {"password": password}})
    for role, creator in roles:
        found = admin.get("%s/roles" % url,
                          params={"name": role}).json()["roles"]
        if not found:
            raise errors.LabError(
                reason="keystone has no role %r; %s creates it"
                       % (role, creator))
        admin.put("%s/projects/%s/users/%s/roles/%s"
                  % (url, project_id, user_id, found[0]["id"]))


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


def node_serves(name):
    """Return what node ``name``'s keystone runs, for ``status``."""
    release = node_release(name)
    return "keystone %s" % release if release else "no keystone"


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
