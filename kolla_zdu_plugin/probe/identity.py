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
"""Who the keystone and heat modes authenticate as, and at which endpoint.

The ``--os-*`` options of :class:`ProbeSettings` override the cloud that
``--os-cloud`` names, as they do for the OpenStack clients, and
``--keystone`` overrides its ``auth_url``.
"""

import dataclasses
import typing

from keystoneauth1.identity import v3

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.probe import clouds

DEFAULT_DOMAIN = "Default"
PASSWORD_AUTH_TYPES = (None, "password", "v3password")


@dataclasses.dataclass(frozen=True)
class Credentials:
    """The probe user's password credentials and where they come from."""

    auth_url: str
    auth_url_source: str
    username: str
    password: str = dataclasses.field(repr=False)
    project_name: typing.Optional[str]
    project_id: typing.Optional[str]
    user_domain_name: typing.Optional[str]
    user_domain_id: typing.Optional[str]
    project_domain_name: typing.Optional[str]
    project_domain_id: typing.Optional[str]
    verify: typing.Union[bool, str]
    origin: str

    @property
    def v3_url(self):
        """The identity v3 endpoint, whether auth_url ends in /v3 or not."""
        url = self.auth_url.rstrip("/")
        return url if url.endswith("/v3") else url + "/v3"

    @property
    def tokens_url(self):
        """The URL that issues (POST) and validates (GET) tokens."""
        return self.v3_url + "/auth/tokens"

    def password_plugin(self):
        """Return a keystoneauth1 v3 Password plugin for these credentials.

        Its ``get_auth_ref(session)`` always sends a new token request; it
        is :meth:`get_access` that would cache the token.
        """
        return v3.Password(
            auth_url=self.v3_url, username=self.username,
            password=self.password, user_domain_name=self.user_domain_name,
            user_domain_id=self.user_domain_id,
            project_name=self.project_name, project_id=self.project_id,
            project_domain_name=self.project_domain_name,
            project_domain_id=self.project_domain_id)

    def describe(self):
        """Return who authenticates where, for messages (no password)."""
        project = self.project_name or self.project_id
        return "user %r (project %r) at %s%s" % (
            self.username, project, self.v3_url,
            "" if self.origin.startswith("--") else " (%s)" % self.origin)


def credentials_from_settings(settings):
    """Return the :class:`Credentials` of a keystone or heat ProbeSettings.

    :raises ProbeError: naming the missing or invalid option or cloud.
    """
    auth, cloud, origin = {}, {}, "--os-username/--os-password"
    if settings.os_cloud is not None:
        cloud, path = clouds.find_cloud(settings.os_cloud,
                                        settings.os_client_config_file)
        origin = "cloud %r in %s" % (settings.os_cloud, path)
        auth = _password_auth(cloud, origin)
    values = _override(auth, _explicit_options(settings))
    if settings.keystone is not None:
        source = "--keystone"
    else:
        source = "auth_url of %s" % origin
    for option, key in (("--keystone", "auth_url"),
                        ("--os-username", "username"),
                        ("--os-password", "password")):
        if not values.get(key):
            _missing(option, key, settings, origin)
    if not (values.get("project_name") or values.get("project_id")):
        _missing("--os-project-name", "project_name", settings, origin)
    return Credentials(
        auth_url=values["auth_url"], auth_url_source=source,
        username=values["username"], password=values["password"],
        project_name=values.get("project_name"),
        project_id=values.get("project_id"),
        verify=_verify(cloud, settings.insecure), origin=origin,
        **_domains(values))


def _password_auth(cloud, origin):
    if cloud.get("auth_type") not in PASSWORD_AUTH_TYPES:
        raise exceptions.ProbeError(
            reason="%s uses auth_type %r; the keystone probe needs password "
                   "authentication" % (origin, cloud["auth_type"]))
    auth = cloud.get("auth") or {}
    if not isinstance(auth, dict):
        raise exceptions.ProbeError(
            reason="%s: 'auth' must be a mapping" % origin)
    return auth


def _explicit_options(settings):
    given = {
        "auth_url": settings.keystone,
        "username": settings.os_username,
        "password": settings.os_password,
        "project_name": settings.os_project_name,
        "user_domain_name": settings.os_user_domain_name,
        "project_domain_name": settings.os_project_domain_name,
    }
    return {key: value for key, value in given.items() if value is not None}


def _override(auth, explicit):
    """Return auth with the explicit options, which replace name or id."""
    values = dict(auth)
    for key, value in explicit.items():
        if key.endswith("_name"):
            values.pop(key[:-len("_name")] + "_id", None)
        values[key] = value
    return values


def _domains(values):
    """Return the user and project domains, as openstacksdk defaults them.

    A cloud's ``domain_name`` or ``domain_id`` is the default of both; with
    neither anywhere, both are the ``Default`` domain.
    """
    domains = {}
    for owner in ("user", "project"):
        name = values.get("%s_domain_name" % owner)
        domain_id = values.get("%s_domain_id" % owner)
        if name is None and domain_id is None:
            name = values.get("domain_name")
            domain_id = values.get("domain_id")
        if name is None and domain_id is None:
            name = DEFAULT_DOMAIN
        domains["%s_domain_name" % owner] = name
        domains["%s_domain_id" % owner] = domain_id
    return domains


def _verify(cloud, insecure):
    if insecure or cloud.get("insecure") is True:
        return False
    if cloud.get("verify") is False:
        return False
    return cloud.get("cacert") or True


def _missing(option, key, settings, origin):
    where = "" if settings.os_cloud is None else (
        " or '%s' in the auth of %s" % (key, origin))
    mode = "heat" if settings.heat_mode else "keystone"
    raise exceptions.ProbeError(
        reason="%s is required in the %s mode%s" % (option, mode, where))
