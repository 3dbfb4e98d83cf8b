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
"""What one probe run does, and the checks made before any request."""

import dataclasses
import math
import typing
import urllib.parse

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.probe import identity

MAX_RATE = 1000.0
KEYSTONE_OPTIONS = "--keystone or --os-cloud"
HEAT_INTERFACES = ("public", "internal")
HEAT_SHARE_OPTIONS = (
    ("heat_stack_list_share", "--heat-stack-list-share"),
    ("heat_validate_share", "--heat-validate-share"),
    ("heat_cfn_share", "--heat-cfn-share"),
    ("heat_token_share", "--heat-token-share"),
)
HEAT_OPTIONS = HEAT_SHARE_OPTIONS + (("heat_interface", "--heat-interface"),)


@dataclasses.dataclass
class ProbeSettings:
    """The parameters of a probe run; see ``kolla-ansible zdu-probe -h``.

    ``duration`` of ``None`` means "until stopped": the run then ends when
    its stop event is set, or at ``max_duration`` at the latest.

    ``min_requests`` makes the stop event wait for a count instead of a
    time: the run honours it only once that many requests have been
    scheduled, so a caller that needs N requests gets exactly N or more,
    however fast or slow the machine is.

    Setting ``keystone`` (an identity endpoint) or ``os_cloud`` (a cloud of
    clouds.yaml) selects the keystone mode: ``urls`` stays empty and each
    request issues or validates a token; ``keystone_validate_share`` of
    them validate. The ``os_*`` fields name the probe user as the
    ``--os-*`` options of the OpenStack clients do, and override the
    cloud's.

    ``heat_mode`` selects the heat mode instead, with the same user: the
    requests list stacks (``heat_stack_list_share``), validate a template
    (``heat_validate_share``), list stacks through heat-api-cfn's
    CloudFormation API (``heat_cfn_share``) or issue or validate a token
    (``heat_token_share``, of which ``keystone_validate_share``
    validate). The shares add up to 1. Heat's endpoints are those of
    interface ``heat_interface`` in the service catalog.
    """

    urls: typing.Sequence[str]
    rate: float
    duration: typing.Optional[float] = None
    max_duration: float = 3600.0
    slow_share: float = 0.0
    slow_path: typing.Optional[str] = None
    keepalive_share: float = 0.5
    timeout: float = 10.0
    max_outstanding: int = 256
    min_requests: int = 0
    phases: typing.Sequence = ()
    hold_threshold: float = 1.0
    steady_seconds: float = 10.0
    cluster_gap: float = 1.0
    insecure: bool = False
    progress_interval: float = 5.0
    seed: int = 0
    keystone: typing.Optional[str] = None
    keystone_validate_share: float = 0.5
    os_cloud: typing.Optional[str] = None
    os_client_config_file: typing.Optional[str] = None
    os_username: typing.Optional[str] = None
    os_password: typing.Optional[str] = None
    os_project_name: typing.Optional[str] = None
    os_user_domain_name: typing.Optional[str] = None
    os_project_domain_name: typing.Optional[str] = None
    heat_mode: bool = False
    heat_stack_list_share: float = 0.4
    heat_validate_share: float = 0.2
    heat_cfn_share: float = 0.2
    heat_token_share: float = 0.2
    heat_interface: str = "public"

    @property
    def authenticates(self):
        """Whether the probe user's credentials are given."""
        return self.keystone is not None or self.os_cloud is not None

    @property
    def keystone_mode(self):
        """Whether requests are Keystone operations instead of GETs."""
        return self.authenticates and not self.heat_mode

    @property
    def mode(self):
        """``heat``, ``keystone`` or ``http`` (plain GETs)."""
        if self.heat_mode:
            return "heat"
        return "keystone" if self.keystone_mode else "http"

    def describe_heat_shares(self):
        """Return the heat mode's shares of operations, for messages."""
        return ("heat-stack-list %g, heat-validate %g, cfn-list-stacks %g, "
                "token %g (validate share %g); %s endpoints"
                % (self.heat_stack_list_share, self.heat_validate_share,
                   self.heat_cfn_share, self.heat_token_share,
                   self.keystone_validate_share, self.heat_interface))

    @property
    def run_seconds(self):
        """How long requests are scheduled for, unless stopped earlier."""
        return self.max_duration if self.duration is None else self.duration

    @property
    def request_count(self):
        """How many requests a run schedules if it is not stopped."""
        return math.ceil(round(self.run_seconds * self.rate, 6))

    def validate(self):
        """Raise :class:`ProbeError` naming the first invalid option."""
        self._validate_target()
        _check_range("--rate", self.rate, 0, MAX_RATE)
        _check_range("--max-duration", self.max_duration, 0, None)
        if self.duration is not None:
            _check_range("--duration", self.duration, 0, None)
            if self.duration > self.max_duration:
                _invalid("--duration", "must not exceed --max-duration %s"
                         % self.max_duration, self.duration)
        _check_share("--slow-share", self.slow_share)
        _check_share("--keepalive-share", self.keepalive_share)
        if self.slow_share and not self.slow_path:
            _invalid("--slow-path", "is required when --slow-share is set",
                     self.slow_path)
        if self.slow_path is not None and not self.slow_path.startswith("/"):
            _invalid("--slow-path", "must start with '/'", self.slow_path)
        _check_range("--timeout", self.timeout, 0, None)
        _check_range("--max-outstanding", self.max_outstanding, 0, None)
        self._validate_min_requests()
        _check_range("--hold-threshold", self.hold_threshold, 0, None)
        _check_range("--steady-seconds", self.steady_seconds, 0, None)
        _check_range("--cluster-gap", self.cluster_gap, 0, None)
        if self.heat_mode:
            self._validate_heat()
        else:
            self._check_heat_options_unused()
        if self.authenticates:
            self._validate_keystone()

    def _validate_target(self):
        if self.heat_mode and not self.authenticates:
            _invalid("--heat", "needs %s: the identity endpoint and the "
                     "probe user; heat's endpoints come from the service "
                     "catalog" % KEYSTONE_OPTIONS, self.heat_mode)
        if self.authenticates and self.urls:
            _invalid("--url", "cannot be combined with %s" % KEYSTONE_OPTIONS,
                     list(self.urls))
        if not self.authenticates and not self.urls:
            _invalid("--url", "is required at least once, unless %s selects "
                     "the keystone mode" % KEYSTONE_OPTIONS, None)
        for url in self.urls:
            check_url(url)

    def _validate_min_requests(self):
        if self.min_requests < 0:
            _invalid("--min-requests", "must not be negative",
                     self.min_requests)
        if self.min_requests > self.request_count:
            _invalid("--min-requests", "must be at most the %d requests "
                     "--rate schedules in %s s" % (self.request_count,
                                                   self.run_seconds),
                     self.min_requests)

    def _validate_keystone(self):
        _check_share("--keystone-validate-share",
                     self.keystone_validate_share)
        if self.slow_share:
            _invalid("--slow-share", "is not available with %s"
                     % KEYSTONE_OPTIONS, self.slow_share)
        credentials = identity.credentials_from_settings(self)
        check_url(credentials.auth_url, credentials.auth_url_source)

    def _validate_heat(self):
        shares = [(option, getattr(self, field))
                  for field, option in HEAT_SHARE_OPTIONS]
        for option, share in shares:
            _check_share(option, share)
        total = math.fsum(share for _option, share in shares)
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            _invalid(", ".join(option for option, _share in shares),
                     "must add up to 1", round(total, 6))
        if self.heat_interface not in HEAT_INTERFACES:
            _invalid("--heat-interface", "must be one of %s"
                     % ", ".join(HEAT_INTERFACES), self.heat_interface)

    def _check_heat_options_unused(self):
        defaults = {field.name: field.default
                    for field in dataclasses.fields(self)}
        for field, option in HEAT_OPTIONS:
            if getattr(self, field) != defaults[field]:
                _invalid(option, "is only used with --heat",
                         getattr(self, field))


def check_url(url, option="--url"):
    """Raise :class:`ProbeError` unless url is an http(s) URL with a host."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        _invalid(option, "must use the http or https scheme", url)
    if not parts.hostname:
        _invalid(option, "must name a host", url)
    try:
        parts.port
    except ValueError:
        _invalid(option, "has an invalid port", url)


def _check_share(option, value):
    if not 0 <= value <= 1:
        _invalid(option, "must be a fraction between 0 and 1", value)


def _check_range(option, value, above, at_most):
    if value <= above:
        _invalid(option, "must be greater than %s" % above, value)
    if at_most is not None and value > at_most:
        _invalid(option, "must be at most %s" % at_most, value)


def _invalid(option, problem, value):
    raise exceptions.ProbeError(
        reason="%s %s (got %r)" % (option, problem, value))
