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
"""``kolla-ansible zdu-probe``: measure availability while something changes.

A thin cliff front over :mod:`kolla_zdu_plugin.probe`. Every check is made
before the first request, and the report is written on SIGTERM or SIGINT
too, so the probe can run in the background around an upgrade::

    kolla-ansible zdu-probe --url http://VIP:5000/v3 --rate 50 \\
        --until-signal --report probe.json &
    kolla-ansible upgrade ...
    kill -TERM %1

With ``--keystone URL`` or ``--os-cloud NAME`` each request is a Keystone
operation instead, a token issue or validation through keystoneauth1; with
``--heat`` as well, requests to heat-api and heat-api-cfn are mixed in.
"""

import logging
import threading

from cliff.command import Command

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.probe import files
from kolla_zdu_plugin.probe import identity
from kolla_zdu_plugin.probe import phases
from kolla_zdu_plugin.probe import plot
from kolla_zdu_plugin.probe import runner
from kolla_zdu_plugin.probe import settings as settings_mod
from kolla_zdu_plugin.probe import signals
from kolla_zdu_plugin.probe import text

LOG = logging.getLogger(__name__)
DEFAULTS = settings_mod.ProbeSettings(urls=(), rate=1.0)


class Probe(Command):
    """Send open-loop HTTP load and report availability and latency."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_load_arguments(parser)
        _add_request_arguments(parser.add_argument_group("Requests"))
        _add_keystone_arguments(parser.add_argument_group(
            "Keystone mode",
            "Issue and validate tokens instead of sending GETs; a pre-flight "
            "issue and validation is made before the load."))
        _add_heat_arguments(parser.add_argument_group(
            "Heat mode",
            "With --keystone or --os-cloud, probe heat-api and heat-api-cfn "
            "as the probe user, found in its service catalog, and mix in "
            "token requests; each operation is made once before the load."))
        _add_report_arguments(parser.add_argument_group("Report"))
        return parser

    def take_action(self, parsed_args):
        settings = settings_from_args(parsed_args)
        _check_outputs(parsed_args)
        stop = threading.Event()
        quiet = self.app.options.verbose_level == 0
        progress = None if quiet else self._progress
        report = signals.run_until_signalled(
            lambda: runner.run(settings, stop=stop, progress=progress), stop)
        if parsed_args.phase_file:
            report = _add_phase_file(report, parsed_args.phase_file)
        report.write(parsed_args.report)
        if parsed_args.plot:
            plot.plot_timeline(report, parsed_args.plot)
        self.app.stdout.write(text.format_summary(report) + "\n")
        self.app.stdout.write("report written to %s\n" % parsed_args.report)

    def _progress(self, progress):
        self.app.stderr.write(
            "zdu-probe: %6.1f s  sent %d  ok %d  failed %d  4xx %d  "
            "skipped %d  outstanding %d\n"
            % (progress.elapsed, progress.sent, progress.ok, progress.failed,
               progress.http_4xx, progress.skipped, progress.outstanding))
        self.app.stderr.flush()


def settings_from_args(parsed_args):
    """Return the ProbeSettings the command line asks for."""
    return settings_mod.ProbeSettings(
        urls=parsed_args.url or [],
        rate=parsed_args.rate,
        duration=None if parsed_args.until_signal else parsed_args.duration,
        max_duration=parsed_args.max_duration,
        slow_share=parsed_args.slow_share,
        slow_path=parsed_args.slow_path,
        keepalive_share=parsed_args.keepalive_share,
        timeout=parsed_args.timeout,
        max_outstanding=parsed_args.max_outstanding,
        min_requests=parsed_args.min_requests,
        phases=phases.sort_phases(
            phases.parse_phase(phase) for phase in parsed_args.phase),
        hold_threshold=parsed_args.hold_threshold,
        steady_seconds=parsed_args.steady_seconds,
        cluster_gap=parsed_args.cluster_gap,
        insecure=parsed_args.insecure,
        progress_interval=parsed_args.progress_interval,
        keystone=parsed_args.keystone,
        keystone_validate_share=parsed_args.keystone_validate_share,
        os_cloud=parsed_args.os_cloud,
        os_client_config_file=parsed_args.os_client_config_file,
        os_username=parsed_args.os_username,
        os_password=parsed_args.os_password,
        os_project_name=parsed_args.os_project_name,
        os_user_domain_name=parsed_args.os_user_domain_name,
        os_project_domain_name=parsed_args.os_project_domain_name,
        heat_mode=parsed_args.heat,
        heat_stack_list_share=parsed_args.heat_stack_list_share,
        heat_validate_share=parsed_args.heat_validate_share,
        heat_cfn_share=parsed_args.heat_cfn_share,
        heat_token_share=parsed_args.heat_token_share,
        heat_interface=parsed_args.heat_interface)


def _check_outputs(parsed_args):
    files.check_writable(parsed_args.report, "--report")
    if parsed_args.plot:
        files.check_writable(parsed_args.plot, "--plot")
        plot.require_matplotlib()
    if parsed_args.phase_file:
        phases.read_phase_file(parsed_args.phase_file)


def _add_phase_file(report, path):
    try:
        marks = phases.read_phase_file(path)
    except exceptions.ProbeError as exc:
        LOG.error("%s; the report is written without those phases", exc)
        return report
    return report.with_phases(list(report.settings.phases) + marks)


def _add_load_arguments(parser):
    group = parser.add_argument_group("Load")
    group.add_argument(
        "--url", action="append", metavar="URL",
        help="An http or https URL to GET; repeat to spread the load "
             "round-robin over several URLs. Only these hosts are contacted. "
             "Required unless --keystone or --os-cloud is given.")
    group.add_argument(
        "--rate", type=float, required=True, metavar="R",
        help="Requests per second, sent on a fixed schedule whatever the "
             "answers (open loop); at most %g." % settings_mod.MAX_RATE)
    length = group.add_mutually_exclusive_group(required=True)
    length.add_argument(
        "--duration", type=float, metavar="SECONDS",
        help="Send for this many seconds, then stop.")
    length.add_argument(
        "--until-signal", action="store_true",
        help="Send until SIGTERM or SIGINT (or --max-duration), then write "
             "the report and exit 0.")
    group.add_argument(
        "--max-duration", type=float, default=DEFAULTS.max_duration,
        metavar="SECONDS",
        help="Hard limit on the run time (default %(default)s s).")
    group.add_argument(
        "--min-requests", type=int, default=DEFAULTS.min_requests,
        metavar="N",
        help="With --until-signal, keep sending after the signal until N "
             "requests have been scheduled (default %(default)s).")


def _add_request_arguments(group):
    group.add_argument(
        "--slow-share", type=float, default=DEFAULTS.slow_share,
        metavar="F", help="Share of requests sent to --slow-path "
                          "(default %(default)s).")
    group.add_argument(
        "--slow-path", metavar="PATH",
        help="Path and query of slow requests on the same hosts, for "
             "example /slow?s=2.")
    group.add_argument(
        "--keepalive-share", type=float, default=DEFAULTS.keepalive_share,
        metavar="F",
        help="Share of requests sent over a pool of persistent "
             "connections; the others open a fresh connection each "
             "(default %(default)s).")
    group.add_argument(
        "--timeout", type=float, default=DEFAULTS.timeout, metavar="T",
        help="Total time allowed per request, connect included "
             "(default %(default)s s).")
    group.add_argument(
        "--max-outstanding", type=int, default=DEFAULTS.max_outstanding,
        metavar="N",
        help="Requests allowed in flight; a request due beyond that is "
             "recorded as skipped (client overload), not sent "
             "(default %(default)s).")
    group.add_argument(
        "--insecure", action="store_true",
        help="Do not verify the TLS certificates of https URLs.")


def _add_keystone_arguments(group):
    group.add_argument(
        "--keystone", metavar="URL",
        help="The identity endpoint to probe, with or without /v3, e.g. "
             "http://VIP:5000/v3; overrides the auth_url of --os-cloud.")
    group.add_argument(
        "--keystone-validate-share", type=float,
        default=DEFAULTS.keystone_validate_share, metavar="F",
        help="Share of requests that validate a token the probe issued "
             "recently; the others issue one. --rate counts both "
             "(default %(default)s: they alternate).")
    group.add_argument(
        "--os-cloud", metavar="NAME",
        help="Take the endpoint and the credentials from this cloud of "
             "clouds.yaml; the --os-* options below override its values.")
    group.add_argument(
        "--os-client-config-file", metavar="FILE",
        help="The clouds.yaml file of --os-cloud (default: the first of "
             "./clouds.yaml, ~/.config/openstack/clouds.yaml and "
             "/etc/openstack/clouds.yaml).")
    group.add_argument("--os-username", metavar="NAME",
                       help="The user the probe authenticates as.")
    group.add_argument("--os-password", metavar="PASSWORD",
                       help="The password of --os-username.")
    group.add_argument("--os-project-name", metavar="NAME",
                       help="The project the tokens are scoped to.")
    group.add_argument(
        "--os-user-domain-name", metavar="NAME",
        help="The domain of --os-username (default: the cloud's, or "
             "%s)." % identity.DEFAULT_DOMAIN)
    group.add_argument(
        "--os-project-domain-name", metavar="NAME",
        help="The domain of --os-project-name (default: the cloud's, or "
             "%s)." % identity.DEFAULT_DOMAIN)


def _add_heat_arguments(group):
    group.add_argument(
        "--heat", action="store_true",
        help="Probe heat: list stacks and validate a template through "
             "heat-api, list stacks through heat-api-cfn's CloudFormation "
             "API (signed with an EC2 credential of the probe user, made "
             "once if it has none), and issue or validate tokens. Needs "
             "--keystone or --os-cloud.")
    group.add_argument(
        "--heat-stack-list-share", type=float,
        default=DEFAULTS.heat_stack_list_share, metavar="F",
        help="Share of requests that list stacks (GET /stacks) "
             "(default %(default)s).")
    group.add_argument(
        "--heat-validate-share", type=float,
        default=DEFAULTS.heat_validate_share, metavar="F",
        help="Share of requests that validate a template (POST /validate) "
             "(default %(default)s).")
    group.add_argument(
        "--heat-cfn-share", type=float, default=DEFAULTS.heat_cfn_share,
        metavar="F",
        help="Share of requests that list stacks through heat-api-cfn "
             "(ListStacks); 0 needs no cloudformation endpoint and no EC2 "
             "credential (default %(default)s).")
    group.add_argument(
        "--heat-token-share", type=float, default=DEFAULTS.heat_token_share,
        metavar="F",
        help="Share of requests that issue or validate a token, "
             "--keystone-validate-share of them validating. The four "
             "--heat-*-share options add up to 1 (default %(default)s).")
    group.add_argument(
        "--heat-interface", choices=settings_mod.HEAT_INTERFACES,
        default=DEFAULTS.heat_interface,
        help="The interface of heat's endpoints in the service catalog "
             "(default %(default)s).")


def _add_report_arguments(group):
    group.add_argument(
        "--report", required=True, metavar="FILE.json",
        help="Write the JSON report, with every request, to this file.")
    group.add_argument(
        "--plot", metavar="FILE.png",
        help="Also draw a latency timeline (needs matplotlib).")
    group.add_argument(
        "--phase", action="append", default=[], metavar="NAME=EPOCH",
        help="Mark a phase starting at a Unix time, e.g. "
             "upgrade=1718000000; repeatable.")
    group.add_argument(
        "--phase-file", metavar="FILE",
        help="Read more NAME=EPOCH phase marks, one a line, from this file "
             "when the run ends, so an upgrade script can add them.")
    group.add_argument(
        "--hold-threshold", type=float, default=DEFAULTS.hold_threshold,
        metavar="SECONDS",
        help="Count requests held longer than this (default %(default)s s).")
    group.add_argument(
        "--steady-seconds", type=float, default=DEFAULTS.steady_seconds,
        metavar="SECONDS",
        help="Without --phase, the steady state is the first this many "
             "seconds (default %(default)s s).")
    group.add_argument(
        "--cluster-gap", type=float, default=DEFAULTS.cluster_gap,
        metavar="SECONDS",
        help="Failures closer than this belong to one failure window "
             "(default %(default)s s).")
    group.add_argument(
        "--progress-interval", type=float,
        default=DEFAULTS.progress_interval, metavar="SECONDS",
        help="Print progress to stderr this often, 0 for never (default "
             "%(default)s s); kolla-ansible -q prints none.")
