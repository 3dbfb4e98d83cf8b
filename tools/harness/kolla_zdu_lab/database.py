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
"""The lab's database server: Debian's MariaDB in a container on the lab
network, at ``database_address``, which kolla-ansible's roles reach as
their ``database_address`` with ``database_user`` root."""

import logging
import time

from kolla_zdu_lab import dockercli
from kolla_zdu_lab import errors
from kolla_zdu_lab import settings as settings_mod

LOG = logging.getLogger(__name__)
CONTAINER_NAME = "kolla-zdu-lab-mariadb"
VOLUME_NAME = "kolla-zdu-lab-mariadb"
IMAGE = "mariadb-server"
PORT = 3306
READY_TIMEOUT = 60


def ensure_database(lab_settings, builder, root_password, grants=()):
    """Run the database server and create the databases and users.

    Rerunning converges: a missing, stopped or outdated container is
    replaced (its data volume stays), and passwords and privileges are set
    again.

    :param root_password: the password of ``root`` from other hosts.
    :param grants: (database, user, password) tuples; each user gets every
        privilege on its database, from any host.
    :raises LabError: if the server does not start or a statement fails.
    """
    image = builder.ensure(IMAGE)
    info = dockercli.inspect("container", CONTAINER_NAME)
    if not _is_current(info, image, lab_settings.database_address):
        if info:
            dockercli.docker("rm", "-f", CONTAINER_NAME)
        _start(lab_settings, image)
    wait_ready()
    execute(setup_sql(root_password, grants),
            what="setting up the databases and users")


def _is_current(info, image, address):
    if not info or not info["State"]["Running"]:
        return False
    network = info["NetworkSettings"]["Networks"].get(
        settings_mod.NETWORK_NAME) or {}
    configured = (network.get("IPAMConfig") or {}).get("IPv4Address")
    return info["Config"]["Image"] == image and configured == address


def run_argv(lab_settings, image):
    """Return the ``docker`` arguments that start the server container."""
    label = "%s=%s" % (settings_mod.LABEL, lab_settings.state_dir)
    return ["run", "-d", "--name", CONTAINER_NAME, "--hostname", "mariadb",
            "--network", settings_mod.NETWORK_NAME,
            "--ip", lab_settings.database_address,
            "-v", "%s:/var/lib/mysql" % VOLUME_NAME,
            "--label", label, image]


def _start(lab_settings, image):
    LOG.info("starting database server %s at %s:%d", CONTAINER_NAME,
             lab_settings.database_address, PORT)
    if dockercli.inspect("volume", VOLUME_NAME) is None:
        dockercli.docker("volume", "create", "--label", "%s=%s" % (
            settings_mod.LABEL, lab_settings.state_dir), VOLUME_NAME)
    try:
        dockercli.docker(*run_argv(lab_settings, image))
    except errors.LabError as error:
        raise errors.LabError(
            reason="cannot start the database server %s (%s). If address "
                   "%s is taken on network %s, free it, or bring the lab "
                   "down and up again"
                   % (CONTAINER_NAME, errors.reason_of(error),
                      lab_settings.database_address,
                      settings_mod.NETWORK_NAME))


def wait_ready(timeout=READY_TIMEOUT):
    """Wait until the server accepts connections."""
    deadline = time.monotonic() + timeout
    while not dockercli.succeeds("exec", CONTAINER_NAME, "mariadb",
                                 "--user=root", "--execute=SELECT 1"):
        info = dockercli.inspect("container", CONTAINER_NAME)
        if not info or not info["State"]["Running"]:
            raise errors.LabError(
                reason="the database server %s stopped; see `docker logs "
                       "%s`" % (CONTAINER_NAME, CONTAINER_NAME))
        if time.monotonic() > deadline:
            raise errors.LabError(
                reason="the database server %s did not accept connections "
                       "within %d s; see `docker logs %s`"
                       % (CONTAINER_NAME, timeout, CONTAINER_NAME))
        time.sleep(1)


def quote(value):
    """Return ``value`` as a MariaDB string literal."""
    return "'%s'" % value.replace("\\", "\\\\").replace("'", "\\'")


def quote_name(name):
    """Return ``name`` as a MariaDB identifier."""
    return "`%s`" % name.replace("`", "``")


def user_sql(user, password, privileges, grant_option=False):
    """Return statements that make ``user``@'%' with ``password``."""
    account = "%s@'%%'" % quote(user)
    return ["CREATE USER IF NOT EXISTS %s IDENTIFIED BY %s"
            % (account, quote(password)),
            "ALTER USER %s IDENTIFIED BY %s" % (account, quote(password)),
            "GRANT ALL PRIVILEGES ON %s TO %s%s"
            % (privileges, account,
               " WITH GRANT OPTION" if grant_option else "")]


def setup_sql(root_password, grants):
    """Return the SQL that sets up remote root and ``grants``, rerunnable."""
    statements = user_sql("root", root_password, "*.*", grant_option=True)
    for database, user, password in grants:
        statements.append("CREATE DATABASE IF NOT EXISTS %s"
                          % quote_name(database))
        statements += user_sql(user, password,
                               "%s.*" % quote_name(database))
    statements.append("FLUSH PRIVILEGES")
    return "".join("%s;\n" % statement for statement in statements)


def execute(sql, what):
    """Run ``sql`` as root inside the server container.

    The SQL goes through stdin, so passwords stay out of process lists.
    """
    try:
        dockercli.docker("exec", "-i", CONTAINER_NAME, "mariadb",
                         "--user=root", input_bytes=sql.encode())
    except errors.LabError as error:
        raise errors.LabError(
            reason="%s on %s failed: %s; see `docker logs %s`"
                   % (what, CONTAINER_NAME, errors.reason_of(error),
                      CONTAINER_NAME))


def dump(databases):
    """Return an SQL dump of ``databases``, taken in one transaction."""
    return dockercli.docker("exec", CONTAINER_NAME, "mariadb-dump",
                            "--single-transaction", "--databases",
                            *databases)


def load(sql):
    """Run the SQL bytes ``sql`` (a dump) as root on the server."""
    dockercli.docker("exec", "-i", CONTAINER_NAME, "mariadb",
                     input_bytes=sql)
