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
"""What a zero-downtime upgrade does when something is wrong.

On the three-node lab: bad input is refused before anything changes; a
release that fails readiness is rolled back while the probe sees no
failure; a killed run leaves no server out of service beyond its lease
(a buffered one beyond its hold) while the probe sees no failure, and
running the same command again converges; so does a release upgrade
killed in the middle of a loadbalancer host's handoff.

Each test starts from the version of zdu-demo the lab serves and upgrades
to the other one, so the lab is brought up once for all of them. Those
runs change nothing of the loadbalancer role, and run without its
handoff (``lab_case.SERVICE_ONLY``), except the interrupted handoff's,
which takes the lab through the release step.
"""

import os
import signal
import subprocess
import time
import unittest

from kolla_zdu_lab import kolla_config
from kolla_zdu_lab import scenario
from kolla_zdu_lab import settings as settings_mod
from kolla_zdu_plugin.planning import bounds
from tests.functional import lab_case
from tests.functional import lab_helpers as helpers

NODES = ["node1", "node2", "node3"]
BACKEND = "zdu_demo_back"
FIRST_RELEASE, RELEASE = lab_case.FIRST_RELEASE, lab_case.RELEASE
# zdu-demo's version in each release of the demo lab.
RELEASE_SERVES = {FIRST_RELEASE: "v1", RELEASE: "v2"}
HANDOFF_PLAY = lab_case.HANDOFF_PLAY + " | %s]"
BRIDGE = "haproxy_zdu_bridge"
# How long the bridge serves alone before the run is killed: on the lab
# kolla's loadbalancer role takes about 40 s from there to recreating
# HAProxy, and renders its configuration on the way.
BRIDGE_ALONE_SECONDS = 10
CONVERGE_KEEPALIVED = ("zdu_converge : Start keepalived where an "
                       "interrupted run stopped it")
CONVERGE_ANCHOR = "zdu_converge : Take an anchored VIP off the loopback"
READINESS_REQUESTS = 3000
# [buffer] max_hold_time, the default, which the lab's hold applies.
HOLD_SECONDS = 20
# The shortest lease the plan accepts with these bounds: drain, recreate
# and readiness of one host, 20 s each.
SHORT_LEASE_SECONDS = 60
SHORT_LEASE = """[haproxy]
out_of_service_lease = %d
[drain]
timeout = 20
recreate_time = 20
[readiness]
timeout = 20
""" % SHORT_LEASE_SECONDS


class FailureTest(lab_case.LabTestMixin, unittest.TestCase):
    """Refusals, roll-back and convergence on three nodes."""

    def setUp(self):
        super().setUp()
        self.lock = helpers.lab_lock()
        self.lock.__enter__()
        self.addCleanup(self.lock.__exit__, None, None, None)
        self.bring_up(len(NODES))
        self.env = helpers.lab_environment()
        scenario.enable_admin_socket(helpers.state_dir())
        self.version = self.serving_version(len(NODES))
        self.other = lab_case.OTHER_VERSION[self.version]
        self.lab_settings = settings_mod.load_settings(helpers.state_dir())
        self.start_tag = kolla_config.read_globals(
            self.lab_settings)["zdu_demo_tag"]

    def restore_start(self):
        """Ask for what ran before the test again, with no start-up quirk."""
        kolla_config.set_globals(
            kolla_config.globals_path(self.lab_settings),
            {"zdu_demo_tag": self.start_tag, "zdu_demo_startup_delay": 0})

    def target_other(self, *options):
        """Make the other zdu-demo version the target of the next run."""
        code, output = helpers.lab("target", self.other, *options,
                                   timeout=60)
        self.assertEqual(0, code, output)

    def zdu_upgrade(self, strategy="rolling", extra_args=(), env=None):
        """Run the upgrade without the probe; return (exit code, output)."""
        return helpers.run(
            scenario.upgrade_command(self.env, strategy, extra_args),
            timeout=helpers.UPGRADE_TIMEOUT, env=dict(self.env, **env or {}))

    def snapshot(self):
        return {node: helpers.container_ids(node) for node in NODES}

    def assert_untouched(self, before):
        self.assertEqual(before, self.snapshot(),
                         "a refused upgrade changed containers")
        self.assert_clean_cluster(self.env, self.version, NODES)

    def test_missing_image_is_refused_before_any_change(self):
        before = self.snapshot()
        self.addCleanup(self.restore_start)
        kolla_config.set_globals(
            kolla_config.globals_path(self.lab_settings),
            {"zdu_demo_tag": "v9-missing"})
        code, output = self.zdu_upgrade()
        self.assertNotEqual(0, code)
        self.assertIn("zdu-demo:v9-missing of service zdu-demo cannot be "
                      "pulled", output)
        self.assertIn("nothing was changed", output)
        self.assertNotIn("TASK [zdu | drain", output)
        self.assert_untouched(before)

    def test_unreachable_host_is_refused_before_any_change(self):
        before = self.snapshot()
        self.addCleanup(self.restore_start)
        self.target_other()
        # A frozen host: its address answers TCP but nothing more. New SSH
        # connections (no shared master connection) time out after 10 s.
        fresh_ssh = {"ANSIBLE_SSH_ARGS": "-o ControlMaster=no "
                                         "-o UserKnownHostsFile=/dev/null "
                                         "-o StrictHostKeyChecking=no",
                     "ANSIBLE_TIMEOUT": "10"}
        subprocess.run(["docker", "pause", "node3"], check=True)
        try:
            code, output = self.zdu_upgrade(env=fresh_ssh)
        finally:
            subprocess.run(["docker", "unpause", "node3"], check=True)
        self.assertNotEqual(0, code)
        self.assertIn("UNREACHABLE", output)
        self.assertIn("node3", output)
        self.assertNotIn("TASK [zdu | drain", output)
        self.assert_untouched(before)

    def test_readiness_failure_rolls_back_without_failed_requests(self):
        image = helpers.docker_lines("exec", "node1", "docker", "inspect",
                                     "--format", "{{.Config.Image}}",
                                     "zdu_demo")[0]
        self.target_other("--startup-delay", "120")
        config = self.service_only_config("short-readiness.conf",
                                          "[readiness]\ntimeout = 15\n")
        outcome, totals, log = self.upgrade(
            self.other, "readiness-failure", "rolling", config,
            min_requests=READINESS_REQUESTS, expect_success=False)
        self.assertNotEqual(0, outcome.return_code)
        self.assertIn("zero-downtime upgrade of service zdu-demo failed on "
                      "host node1", log)
        self.assertIn("readiness of zdu-demo on node1", log)
        self.assertIn("rolled back to %s" % image, log)
        self.assert_every_request_answered(totals, "readiness-failure",
                                           READINESS_REQUESTS)
        self.restore_start()
        self.assert_clean_cluster(self.env, self.version, NODES)
        self.assert_deploy_changes_nothing(NODES)

    def start_killed_run(self, strategy, config, log_name, out_nodes):
        """Start an upgrade; kill it once ``out_nodes`` are out of service.

        :returns: the servers that were out when it was killed.
        """
        command = scenario.upgrade_command(self.env, strategy, config)
        log_path = os.path.join(self.output_dir(), log_name)
        env = dict(os.environ, **self.env)
        env["PATH"] = helpers.SCRIPTS + os.pathsep + env["PATH"]
        with open(log_path, "w") as log:
            proc = subprocess.Popen(command, stdout=log,
                                    stderr=subprocess.STDOUT, env=env,
                                    start_new_session=True)
        drained = helpers.wait_until(
            lambda: all(self.out_of_service(node) == out_nodes
                        for node in NODES),
            timeout=600, interval=0.5)
        out = self.out_of_service(NODES[0])
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        self.assertTrue(drained, "the run never took %s out of service; "
                        "see %s" % (out_nodes, log_path))
        return out

    def test_killed_run_is_released_by_lease_and_rerun_converges(self):
        self.target_other()
        config = self.service_only_config("short-lease.conf", SHORT_LEASE)
        # The probe runs across the kill, the lease and the rerun.
        with scenario.probing(helpers.state_dir(), rate=lab_case.RATE,
                              min_requests=READINESS_REQUESTS) as probing:
            drained = self.start_killed_run("parallel", config,
                                            "killed-upgrade.log", ["node1"])
            killed_at = time.monotonic()
            released = helpers.wait_until(
                lambda: self.out_of_service("node1") == [],
                timeout=SHORT_LEASE_SECONDS + 60)
            print("servers %s were back in service %.0f s after the kill"
                  % (drained, time.monotonic() - killed_at))
            self.assertTrue(released, "servers still out of service %d s "
                            "after the run was killed, with a %d s lease"
                            % (SHORT_LEASE_SECONDS + 60,
                               SHORT_LEASE_SECONDS))
            code, output = self.zdu_upgrade("parallel", config)
            self.assertEqual(0, code, output[-6000:])
        probing.report.write(os.path.join(self.output_dir(),
                                          "killed-and-rerun-probe.json"))
        totals = probing.report.summary["totals"]
        print("across the kill, the lease and the rerun: %(sent)d sent, "
              "%(failed)d failed, %(skipped)d skipped" % totals)
        self.assert_every_request_answered(totals, "killed-and-rerun",
                                           READINESS_REQUESTS)
        self.assert_clean_cluster(self.env, self.other, NODES)

    def test_killed_buffer_run_holds_no_longer_than_the_hold(self):
        self.target_other()
        config = self.service_only_config("short-lease.conf", SHORT_LEASE)
        self.start_killed_run("buffer", config, "killed-buffer.log", NODES)
        killed_at = time.monotonic()
        released = helpers.wait_until(
            lambda: self.out_of_service(NODES[0]) == [],
            timeout=SHORT_LEASE_SECONDS + 60, interval=0.5)
        outage = time.monotonic() - killed_at
        print("a killed buffer run left the servers out of service %.1f s "
              "after the kill ([buffer] max_hold_time %d s)"
              % (outage, HOLD_SECONDS))
        self.assertTrue(released, "servers still out of service")
        # The watchdog acts once a second after the hold's lease, which is
        # max_hold_time plus its margin.
        self.assertLessEqual(outage, HOLD_SECONDS
                             + bounds.HOLD_LEASE_MARGIN + 3)
        code, output = self.zdu_upgrade("buffer", config)
        self.assertEqual(0, code, output[-6000:])
        self.assert_clean_cluster(self.env, self.other, NODES)

    def test_interrupted_handoff_is_finished_by_the_rerun(self):
        """Killed in the VIP holder's handoff; the rerun finishes it.

        The release step changes the loadbalancer role's images, so the
        run hands HAProxy over on each host. It is killed in the handoff
        of the host that holds the VIP, once that host's HAProxy is
        soft-stopped, its bridge serves in its place, keepalived is
        stopped on the other hosts and the VIP anchored. The rerun's
        converge play starts keepalived again and takes the anchor off,
        and leaves the bridge to that host's handoff, which recreates
        HAProxy from the target image and retires the bridge. The probe
        runs across both runs.
        """
        if helpers.lab_status()["target"] != FIRST_RELEASE:
            scenario.move_to(helpers.state_dir(), FIRST_RELEASE)
        self.assert_clean_cluster(self.env, RELEASE_SERVES[FIRST_RELEASE],
                                  NODES)
        holder, = helpers.vip_holders(NODES, self.vip())
        peers = [node for node in NODES if node != holder]
        outcome, totals, log = self.upgrade(
            RELEASE, "interrupted-handoff", "auto",
            interrupt=self.once_bridge_served_alone(holder,
                                                    BRIDGE_ALONE_SECONDS))
        print("killed once %s's bridge served alone; the rerun ended %.1f s"
              " after the kill. Across both runs: %d sent, %d failed, %d "
              "skipped" % (holder, outcome.after_kill_seconds,
                           totals["sent"], totals["failed"],
                           totals["skipped"]))
        # What the kill left, as the rerun's converge play found it.
        self.assertEqual(
            {node: "changed" if node in peers else "ok" for node in NODES},
            helpers.task_results(log, CONVERGE_KEEPALIVED), log[:20000])
        self.assertEqual(
            {node: "changed" if node == holder else "ok" for node in NODES},
            helpers.task_results(log, CONVERGE_ANCHOR), log[:20000])
        for node in NODES:
            self.assertIn(HANDOFF_PLAY % node, log)
        self.assert_every_request_answered(totals, "interrupted-handoff")
        self.assert_images_of(RELEASE, NODES)
        self.assert_clean_cluster(self.env, RELEASE_SERVES[RELEASE], NODES)
        self.assert_loadbalancer_whole(NODES)

    @staticmethod
    def once_bridge_served_alone(node, seconds):
        """Return a predicate: ``node``'s bridge served alone ``seconds``.

        That is, it ran and kolla's HAProxy did not, in every poll for
        that long: kolla's role then runs on the host, and may have
        rendered the target's configuration already.
        """
        alone_since = []

        def ready_to_kill():
            running = helpers.docker_lines("exec", node, "docker", "ps",
                                           "--format", "{{.Names}}")
            if BRIDGE not in running or "haproxy" in running:
                del alone_since[:]
                return False
            alone_since[:] = alone_since or [time.monotonic()]
            return time.monotonic() - alone_since[0] >= seconds
        return ready_to_kill

    @staticmethod
    def out_of_service(node):
        """Return the kolla servers not ready in ``node``'s HAProxy.

        None while that HAProxy does not answer: the run replaces it, one
        loadbalancer host at a time, before it drains any server.
        """
        try:
            states = helpers.haproxy_admin_states(node, BACKEND)
        except helpers.HAProxyUnavailable:
            return None
        return sorted(name for name, state in states.items()
                      if state and name in NODES)
