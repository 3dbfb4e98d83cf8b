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
"""The heat profile: keystone's profile, with heat and RabbitMQ.

kolla-ansible deploys them with its own roles (``keystone``, ``heat``,
``rabbitmq``, ...). Around that the lab creates heat's database beside
keystone's beforehand, waits for heat's two APIs as well, and gives the
probe the role heat's stack owners have, so that it can list stacks and
validate templates.
"""

import logging

from kolla_zdu_lab import database
from kolla_zdu_lab import dockercli
from kolla_zdu_lab import errors
from kolla_zdu_lab import keystone_lab
from kolla_zdu_lab import kolla_config

LOG = logging.getLogger(__name__)
# kolla's heat role: its containers, and its default heat_stack_owner_role.
CONTAINERS = ("heat_api", "heat_api_cfn", "heat_engine")
STACK_OWNER_ROLE = "heat_stack_owner"
# The version of heat a container runs, from its virtualenv.
VERSION_COMMAND = ("python3", "-c", "import importlib.metadata as m; "
                   "print(m.version('openstack-heat'))")
LOGS_HINT = "/var/log/kolla/heat/ on the nodes"


def ensure_database(lab_settings, builder):
    """Run the lab's MariaDB with keystone's and heat's databases."""
    passwords = keystone_lab.read_passwords(lab_settings)
    database.ensure_database(
        lab_settings, builder, passwords["database_password"],
        keystone_lab.database_grants(passwords) +
        [("heat", "heat", passwords["heat_database_password"])])


def api_version(url, timeout=keystone_lab.REQUEST_TIMEOUT):
    """Return the current API version in heat's version list at ``url``.

    :raises LabError: if ``url`` answers no version list.
    """
    try:
        versions = keystone_lab.api_document(url, timeout)["versions"]
        return next(version["id"] for version in versions
                    if version.get("status") == "CURRENT")
    except (KeyError, TypeError, StopIteration) as error:
        raise errors.LabError(reason="%s: no current version in its "
                                     "answer (%r)" % (url, error))


def wait_ready(lab_settings, timeout):
    """Wait until keystone and heat's two APIs answer through the VIP."""
    keystone_lab.wait_ready(lab_settings, timeout)
    for url in (lab_settings.heat_url, lab_settings.heat_cfn_url):
        keystone_lab.wait_for_answer(url, api_version, timeout, LOGS_HINT)


def vip_serves(lab_settings):
    """Return what heat's APIs answer through the VIP, for ``status``."""
    answers = []
    for kind, url in (("orchestration", lab_settings.heat_url),
                      ("cloudformation", lab_settings.heat_cfn_url)):
        try:
            answers.append("%s %s" % (kind, api_version(url, timeout=5)))
        except errors.LabError as error:
            answers.append("%s: no answer (%s)"
                           % (kind, errors.reason_of(error)))
    return ", ".join(answers)


def stack_owner_role(lab_settings):
    """Return the role kolla's heat role gives stack owners.

    That is ``heat_stack_owner_role``, which an operator may set in
    globals.yml.
    """
    return kolla_config.read_globals(lab_settings).get(
        "heat_stack_owner_role", STACK_OWNER_ROLE)


def ensure_probe_account(lab_settings):
    """Give the probe keystone's account with heat's stack owner role too."""
    return keystone_lab.ensure_probe_account(
        lab_settings,
        roles=keystone_lab.PROBE_ROLES + (
            (stack_owner_role(lab_settings), "kolla-ansible's heat role"),))


def node_release(name):
    """Return ``{container: heat version or None}`` of node ``name``."""
    return {container: dockercli.node_exec(
        name, "docker", "exec", container, *VERSION_COMMAND,
        check=False).strip() or None for container in CONTAINERS}


def describe_release(versions):
    """Return ``heat V`` when every container runs V, else each one's."""
    found = set(versions.values())
    if found == {None}:
        return "no heat"
    if len(found) == 1:
        return "heat %s" % found.pop()
    return ", ".join("%s %s" % (container, version or "absent")
                     for container, version in versions.items())


def node_serves(name):
    """Return which keystone and heat node ``name`` runs, for ``status``."""
    return "%s, %s" % (keystone_lab.node_serves(name),
                       describe_release(node_release(name)))
