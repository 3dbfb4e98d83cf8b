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
"""An upgrade of the lab under the availability probe.

The demo, the functional tests and the benchmark all measure the same way:
probe the lab's URL at a constant rate, mark when the upgrade starts and
ends, run the real ``kolla-ansible upgrade`` (with or without
``--zero-downtime``), keep probing until enough requests were sent, and keep
the probe's report.
"""

import contextlib
import dataclasses
import logging
import os
import signal
import subprocess
import threading
import time

from kolla_zdu_lab import deploy_host
from kolla_zdu_lab import dockercli
from kolla_zdu_lab import errors
from kolla_zdu_lab import keystone_lab
from kolla_zdu_lab import kolla_config
from kolla_zdu_lab import progress
from kolla_zdu_lab import registry
from kolla_zdu_lab import release_host
from kolla_zdu_lab import settings as settings_mod
from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin import probe

LOG = logging.getLogger(__name__)
UPGRADE_TIMEOUT = 1800
# One image pull on one node, from the lab's registry.
PULL_TIMEOUT = 600
SETTLE_SECONDS = 5.0
# How long a probe request may wait for its answer: longer than the buffer
# strategy's default hold bound (20 s), as API clients wait (keystoneauth
# and the OpenStack SDK wait without a limit unless told otherwise). The
# probe keeps up to this many seconds' worth of requests outstanding.
CLIENT_TIMEOUT = 30.0
# The demo probe's requests that take 5 s to answer, in flight across
# every restart: one in 500, about one at a time at 100 requests/s, which
# zdu-demo's two workers per node serve beside the others.
SLOW_SHARE = 0.002
SLOW_PATH = '/slow?s=5'
# The share of the keystone probe's requests that validate a token; the
# others issue one.
KEYSTONE_VALIDATE_SHARE = 0.5
# How often an interruptible upgrade asks whether to kill the run.
INTERRUPT_POLL_SECONDS = 0.5


@dataclasses.dataclass
class Outcome:
    """What one upgrade under the probe gave."""

    label: str
    report: object
    upgrade_seconds: float
    return_code: int
    log_path: str
    # An interrupted upgrade: the seconds from the kill to the end of the
    # rerun (the killed run's log is ``<label>-killed-upgrade.log``).
    after_kill_seconds: float = None


ADMIN_SOCKET = 'haproxy_socket_level_admin'


def enable_admin_socket(state_dir):
    """Do the operator's one-time step: HAProxy's socket at admin level.

    Sets ``haproxy_socket_level_admin: true`` in the lab's globals and, when
    it was not set yet, applies it with ``kolla-ansible reconfigure -t
    loadbalancer``.

    :returns: whether HAProxy had to be reconfigured.
    """
    lab_settings = settings_mod.load_settings(state_dir)
    path = kolla_config.globals_path(lab_settings)
    with open(path) as stream:
        if '%s: true' % ADMIN_SOCKET in stream.read():
            return False
    kolla_config.set_globals(path, {ADMIN_SOCKET: True})
    host = release_host.for_target(lab_settings)
    log_path = os.path.join(lab_settings.state_dir, 'logs',
                            'kolla-ansible-reconfigure-loadbalancer.log')
    if _run_kolla_ansible(host, ('reconfigure', '-t', 'loadbalancer'),
                          log_path) != 0:
        raise errors.LabError(
            reason='kolla-ansible reconfigure -t loadbalancer failed; see %s'
                   % log_path)
    return True


def zero_downtime_args(strategy=None, extra_args=()):
    """Return the arguments after ``kolla-ansible upgrade``."""
    args = ['--zero-downtime', '--zdu-strategy', strategy] if strategy \
        else []
    return args + list(extra_args)


def upgrade_command(env, strategy=None, extra_args=()):
    """Return the ``kolla-ansible upgrade`` command line for the lab.

    :param env: what ``kolla-zdu-lab env`` exports; the command is that of
        the host's kolla-ansible.
    """
    return (['kolla-ansible', 'upgrade', '-i', env['LAB_INVENTORY'],
             '--configdir', env['LAB_CONFIGDIR'], '-p', env['LAB_PLAYBOOK']]
            + zero_downtime_args(strategy, extra_args))


def _run_kolla_ansible(host, args, log_path):
    """Run ``kolla-ansible ARGS`` on ``host``'s deploy host; return its code.

    The deploy host runs confined to the CPU the nodes leave (see
    ``deploy_host``).
    """
    with host.session():
        return _run_in_session(host, args, log_path)


def _run_in_session(host, args, log_path, interrupt=None):
    """Run ``kolla-ansible ARGS`` in ``host``'s open session.

    :param interrupt: a callable asked every INTERRUPT_POLL_SECONDS while
        the run lasts; once it returns true the run's process group is
        killed (SIGKILL), as an operator's lost session or a crashed
        deploy host leaves a run.
    :returns: the run's exit code, negative when a signal ended it.
    :raises: LabError when the run outlasts UPGRADE_TIMEOUT, or ended
        by itself before ``interrupt`` asked for the kill.
    """
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    cgroup = deploy_host.make_cgroup()
    with open(log_path, 'w') as log:
        command = host.argv(*args)
        LOG.info("running kolla-ansible %s with %s (log: %s)",
                 ' '.join(args), host.describe(), log_path)
        process = subprocess.Popen(
            deploy_host.command(command), stdout=log,
            stderr=subprocess.STDOUT, env=host.environment(),
            start_new_session=True)
        LOG.info("kolla-ansible runs as on a deploy host: %s",
                 deploy_host.confine(process.pid, cgroup))
        deadline = time.monotonic() + UPGRADE_TIMEOUT
        while True:
            poll = INTERRUPT_POLL_SECONDS if interrupt else UPGRADE_TIMEOUT
            try:
                code = process.wait(timeout=min(
                    poll, max(0.0, deadline - time.monotonic())))
            except subprocess.TimeoutExpired:
                if interrupt is not None and interrupt():
                    LOG.info("killing kolla-ansible %s: the moment asked "
                             "for has come", args[0])
                    os.killpg(process.pid, signal.SIGKILL)
                    return process.wait()
                if time.monotonic() < deadline:
                    continue
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                raise errors.LabError(
                    reason='kolla-ansible %s did not finish within %d s; '
                           'see %s' % (args[0], UPGRADE_TIMEOUT, log_path))
            if interrupt is not None:
                raise errors.LabError(
                    reason='kolla-ansible %s ended (exit %d) before the '
                           'moment to interrupt it came; see %s'
                           % (args[0], code, log_path))
            return code


def probe_settings(lab_settings, rate, min_requests=0):
    """Return the probe's settings for the service the lab's profile runs.

    The keystone profile's probe issues and validates tokens, half each,
    as the lab's probe user of clouds.yaml. The heat profile's probe, as
    the same user, mostly lists stacks and validates templates through
    heat-api and lists stacks through heat-api-cfn (each an RPC call to
    heat-engine), with the heat mode's default shares; the rest are token
    requests.
    """
    common = dict(rate=rate, max_duration=UPGRADE_TIMEOUT + 600,
                  progress_interval=3600, timeout=CLIENT_TIMEOUT,
                  max_outstanding=int(rate * CLIENT_TIMEOUT),
                  min_requests=min_requests)
    if lab_settings.profile in settings_mod.KOLLA_SITE_PROFILES:
        return probe.ProbeSettings(
            urls=[], os_cloud=keystone_lab.PROBE_CLOUD,
            os_client_config_file=keystone_lab.clouds_path(lab_settings),
            keystone_validate_share=KEYSTONE_VALIDATE_SHARE,
            heat_mode=lab_settings.profile == 'heat', **common)
    return probe.ProbeSettings(urls=[lab_settings.url],
                               slow_share=SLOW_SHARE, slow_path=SLOW_PATH,
                               **common)


class Probing(object):
    """A probe sending in the background until :meth:`stop`."""

    def __init__(self, settings):
        self._stop = threading.Event()
        self._holder = {}
        self._settings = settings
        self._sender = threading.Thread(target=self._send, daemon=True)
        self.report = None

    def _send(self):
        try:
            self._holder['report'] = probe.run(self._settings,
                                               stop=self._stop)
        except exceptions.ZduError as error:
            self._holder['error'] = error

    def start(self, settle_seconds):
        """Start sending; return after ``settle_seconds`` of traffic.

        :raises: LabError when the probe could not start.
        """
        self._sender.start()
        self._sender.join(settle_seconds)
        if 'error' in self._holder:
            raise errors.LabError(
                reason='the probe did not start, so the upgrade did not '
                       'run: %s' % self._holder['error'])

    def stop(self):
        """Stop once the minimum of requests was sent; return the report.

        :raises: LabError when the probe failed.
        """
        self._stop.set()
        self._sender.join()
        if 'error' in self._holder:
            raise errors.LabError(reason='the probe failed: %s'
                                  % self._holder['error'])
        self.report = self._holder['report']
        return self.report


@contextlib.contextmanager
def probing(state_dir, rate=100.0, min_requests=0,
            settle_seconds=SETTLE_SECONDS):
    """Probe the lab's service in the background around a block.

    The report is the yielded object's ``report`` once the block ends.
    """
    lab_settings = settings_mod.load_settings(state_dir)
    sender = Probing(probe_settings(lab_settings, rate, min_requests))
    sender.start(settle_seconds)
    try:
        yield sender
    finally:
        time.sleep(SETTLE_SECONDS)
        sender.stop()


def pull_target(lab_settings, version):
    """Pull the registry's images tagged ``version`` onto every node.

    One node at a time, before the probe starts, as an operator runs
    ``kolla-ansible pull`` before an upgrade window. The lab's nodes share
    the host's cores: three nodes unpacking a release's images at once
    starve the services the probe measures, which nodes of their own
    would not.
    """
    references = registry.references_tagged(lab_settings, version)
    for node in lab_settings.node_names() if references else ():
        with progress.Stopwatch() as watch:
            for reference in references:
                dockercli.node_exec(node, "docker", "pull", "-q", reference,
                                    timeout=PULL_TIMEOUT)
        LOG.info("%s has the %d images tagged %s (%.0f s)", node,
                 len(references), version, watch.seconds)


def upgrade_under_probe(state_dir, version, label, strategy=None,
                        rate=100.0, min_requests=6000, output_dir=None,
                        extra_args=(), settle_seconds=SETTLE_SECONDS,
                        interrupt=None):
    """Move the lab's service to ``version`` while probing it.

    :param strategy: a zero-downtime strategy, or None for a plain upgrade.
    :param min_requests: the probe keeps sending, after the upgrade and
        its settling time, until at least this many requests were
        scheduled: a count, never a time computed from the rate.
    :param settle_seconds: how long the probe runs before the upgrade
        starts; the report's steady-state figures come from that time.
    :param interrupt: kill the upgrade once this callable returns true
        (see ``_run_in_session``), then run the same command again to its
        end, under the same probe: the outcome is the rerun's, its
        upgrade seconds from the first start.
    :returns: an :class:`Outcome`.
    """
    lab_settings = settings_mod.load_settings(state_dir)
    output_dir = output_dir or os.path.join(lab_settings.state_dir,
                                            'reports')
    os.makedirs(output_dir, exist_ok=True)
    kolla_config.set_target(lab_settings, version)
    host = release_host.for_target(lab_settings)
    log_path = os.path.join(output_dir, '%s-upgrade.log' % label)
    pull_target(lab_settings, version)
    # The session installs the deploy host's kolla-ansible and plugin when
    # they changed: before the probe starts, as an operator prepares a
    # deploy host before the upgrade, and never on the CPU the probe's
    # services need while it measures.
    with host.session(), probing(state_dir, rate, min_requests,
                                 settle_seconds) as sender:
        args = ['upgrade'] + zero_downtime_args(strategy, extra_args)
        started = time.time()
        phases = [probe.Phase('upgrade', started)]
        killed = {}
        if interrupt is not None:
            killed['log'] = os.path.join(output_dir,
                                         '%s-killed-upgrade.log' % label)
            killed['code'] = _run_in_session(host, args, killed['log'],
                                             interrupt)
            killed['at'] = time.time()
            LOG.info("kolla-ansible upgrade killed (exit %d) after %.0f s; "
                     "running it again", killed['code'],
                     killed['at'] - started)
            phases.append(probe.Phase('rerun', killed['at']))
        code = _run_in_session(host, args, log_path)
        ended = time.time()
    report = sender.report.with_phases(phases
                                       + [probe.Phase('after', ended)])
    report.write(os.path.join(output_dir, '%s-probe.json' % label))
    return Outcome(label=label, report=report,
                   upgrade_seconds=round(ended - started, 1),
                   return_code=code, log_path=log_path,
                   after_kill_seconds=(round(ended - killed['at'], 1)
                                       if killed else None))


def demo(state_dir, strategy='auto', rate=100.0, min_requests=6000):
    """Measure a plain release upgrade, then a zero-downtime one, on the lab.

    The lab goes from its first release to its last with a plain
    ``kolla-ansible upgrade``, back without the probe, and to the last
    again with ``--zero-downtime``: the same release step, every image new.

    :returns: the text table comparing both probe reports.
    """
    lab_settings = settings_mod.load_settings(state_dir)
    start, target = kolla_config.releases()[0], kolla_config.releases()[-1]
    if enable_admin_socket(state_dir):
        LOG.info("HAProxy's admin socket enabled")
    if kolla_config.read_target(lab_settings) != start:
        move_to(state_dir, start)
    baseline = upgrade_under_probe(state_dir, target, 'plain', rate=rate,
                                   min_requests=min_requests)
    move_to(state_dir, start)
    zero = upgrade_under_probe(state_dir, target, 'zero-downtime-%s'
                               % strategy, strategy=strategy, rate=rate,
                               min_requests=min_requests)
    lines = [probe.format_comparison(
        [baseline.report, zero.report],
        ['plain %s->%s' % (start, target),
         '--zero-downtime (%s) %s->%s' % (strategy, start, target)])]
    for outcome in (baseline, zero):
        lines.append('%s: kolla-ansible upgrade exited %d after %.1f s; '
                     'log %s' % (outcome.label, outcome.return_code,
                                 outcome.upgrade_seconds, outcome.log_path))
    return '\n'.join(lines)


def move_to(state_dir, version):
    """Upgrade the lab to ``version`` with plain kolla-ansible, unprobed.

    :raises: LabError naming the log when the upgrade fails.
    """
    lab_settings = settings_mod.load_settings(state_dir)
    kolla_config.set_target(lab_settings, version)
    log_path = lab_settings.path('logs', 'move-to-%s.log' % version)
    LOG.info("moving the lab to %s (plain upgrade, not probed)", version)
    code = _run_kolla_ansible(release_host.for_target(lab_settings),
                              ['upgrade'], log_path)
    if code != 0:
        raise errors.LabError(reason='the upgrade to %s failed; see %s'
                              % (version, log_path))
