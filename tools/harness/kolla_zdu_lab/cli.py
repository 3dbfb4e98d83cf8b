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
"""``kolla-zdu-lab``: the project's multinode kolla lab on one machine.

::

    kolla-zdu-lab up [--nodes N] [--profile demo|keystone|heat]
                                     build, start, kolla-ansible deploy
    kolla-zdu-lab env                export LAB_INVENTORY=... for a shell
    kolla-zdu-lab target RELEASE     the release the next upgrade installs
    kolla-zdu-lab restore RELEASE    keystone, heat: back to RELEASE from
                                     its database dump
    kolla-zdu-lab kolla-ansible ACTION [ARGS]
                                     the target release's kolla-ansible,
                                     on its deploy host, on the lab
    kolla-zdu-lab status             nodes, containers, who serves what
    kolla-zdu-lab down               remove everything but cached images
"""

import argparse
import json
import sys

from kolla_zdu_lab import deploy
from kolla_zdu_lab import errors
from kolla_zdu_lab import keystone_lab
from kolla_zdu_lab import kolla_config
from kolla_zdu_lab import lab
from kolla_zdu_lab import paths
from kolla_zdu_lab import progress
from kolla_zdu_lab import scenario
from kolla_zdu_lab import settings as settings_mod
from kolla_zdu_lab import snapshots
from kolla_zdu_lab import status
from kolla_zdu_plugin import exceptions


def build_parser():
    """Return the argument parser of kolla-zdu-lab."""
    parser = argparse.ArgumentParser(
        prog="kolla-zdu-lab",
        description="A multinode kolla-ansible lab in containers on this "
                    "machine, for zero-downtime upgrade tests.")
    parser.add_argument(
        "--state-dir", default=settings_mod.default_state_dir(),
        help="Directory of the lab's state: inventory, kolla config dir, "
             "SSH key, logs (default: %(default)s).")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="Show debug output, such as every command run.")
    commands = parser.add_subparsers(dest="command", required=True)

    up = commands.add_parser(
        "up", help="Build what is missing, start the nodes and deploy the "
                   "load balancer and zdu-demo with kolla-ansible deploy.")
    up.add_argument("--nodes", type=int, default=3,
                    help="Number of nodes, 1 to %d (default: %%(default)s)."
                         % settings_mod.MAX_NODES)
    up.add_argument("--subnet", default=settings_mod.DEFAULT_SUBNET,
                    help="IPv4 subnet of the lab network, /24 or larger "
                         "(default: %(default)s).")
    up.add_argument("--registry-port", type=int,
                    default=settings_mod.DEFAULT_REGISTRY_PORT,
                    help="Loopback port the host pushes images to the lab "
                         "registry through (default: %(default)s).")
    up.add_argument("--mirror", default=settings_mod.LabSettings.mirror,
                    help="Debian mirror for debootstrap and apt (default: "
                         "%(default)s).")
    up.add_argument("--profile", default=settings_mod.PROFILES[0],
                    choices=settings_mod.PROFILES,
                    help="What the lab deploys besides the load balancer: "
                         "demo, the zdu-demo service (%s); keystone, "
                         "kolla-ansible's keystone role with memcached and "
                         "a lab MariaDB (%s); or heat, that and "
                         "kolla-ansible's heat and rabbitmq roles (heat %s) "
                         "(default: %%(default)s)."
                         % (" and ".join(settings_mod.DEMO_VERSIONS),
                            " and ".join(settings_mod.KEYSTONE_VERSIONS),
                            " and ".join(settings_mod.HEAT_VERSIONS)))

    commands.add_parser(
        "env", help="Print export lines for LAB_INVENTORY, LAB_CONFIGDIR, "
                    "LAB_URL, LAB_PLAYBOOK and the Ansible settings.")

    target = commands.add_parser(
        "target", help="Set what the next kolla-ansible upgrade installs: "
                       "a release moves every image (openstack_tag); a "
                       "version moves only zdu_demo_tag (demo profile), "
                       "keystone_tag (keystone profile) or heat_tag (heat "
                       "profile).")
    target.add_argument("version", metavar="RELEASE",
                        help="A release, %s; or a version, %s (demo "
                             "profile), %s (keystone profile) or %s (heat "
                             "profile)."
                             % (", ".join(settings_mod.RELEASES),
                                ", ".join(settings_mod.DEMO_VERSIONS),
                                ", ".join(settings_mod.KEYSTONE_VERSIONS),
                                ", ".join(settings_mod.HEAT_VERSIONS)))
    target.add_argument("--startup-delay", type=float, metavar="SECONDS",
                        help="Seconds each zdu-demo worker waits before it "
                             "serves (zdu_demo_startup_delay).")
    target.add_argument("--exclusive-schema", action="store_true",
                        default=None,
                        help="Make v1 and v2 refuse to serve side by side "
                             "(zdu_demo_exclusive_schema).")
    target.add_argument("--no-exclusive-schema", action="store_false",
                        dest="exclusive_schema",
                        help="Let v1 and v2 serve side by side (default); "
                             "also resets the shared schema marker.")

    restore = commands.add_parser(
        "restore", help="keystone and heat profiles: go back to RELEASE, "
                        "restoring the database dump `up` took at it and "
                        "deploying it with kolla-ansible deploy.")
    restore.add_argument("version", metavar="RELEASE",
                         help="A release, %s; or a version of the profile's "
                              "service, %s (keystone) or %s (heat)."
                              % (", ".join(settings_mod.RELEASES),
                                 ", ".join(settings_mod.KEYSTONE_VERSIONS),
                                 ", ".join(settings_mod.HEAT_VERSIONS)))

    run = commands.add_parser(
        "kolla-ansible", help="Run kolla-ansible ACTION [ARGS] on the lab "
                              "with the kolla-ansible of the release "
                              "globals.yml asks for, on its deploy host "
                              "(the host, or the trixie chroot for "
                              "kolla-ansible 23); -i, --configdir and -p "
                              "are the lab's.")
    run.add_argument("action", help="deploy, upgrade, reconfigure, ...")
    run.add_argument("args", nargs=argparse.REMAINDER,
                     help="more kolla-ansible arguments, such as "
                          "--zero-downtime")

    show = commands.add_parser(
        "status", help="Show the nodes, their containers and which release "
                       "each node and the VIP serve.")
    show.add_argument("--json", action="store_true",
                      help="Print the status as JSON.")

    demo = commands.add_parser(
        "demo", help="Upgrade the running lab twice under the probe: a "
                     "plain kolla-ansible upgrade, then one with "
                     "--zero-downtime; print both reports side by side.")
    demo.add_argument("--strategy", default="auto",
                      choices=("auto", "rolling", "parallel", "buffer"),
                      help="Zero-downtime strategy (default: auto).")
    demo.add_argument("--rate", type=float, default=100.0,
                      help="Probe requests per second (default: 100).")
    demo.add_argument("--min-requests", type=int, default=6000,
                      help="Requests the probe sends at least during each "
                           "upgrade run (default: 6000).")

    commands.add_parser(
        "down", help="Remove the nodes, the registry, their volumes, the "
                     "network and the state dir; keep built images.")
    return parser


def cmd_up(args):
    lab_settings = settings_mod.LabSettings(
        state_dir=args.state_dir, nodes=args.nodes, subnet=args.subnet,
        registry_port=args.registry_port, mirror=args.mirror,
        profile=args.profile)
    lab.up(lab_settings)
    print(format_urls(lab_settings, kolla_config.read_target(lab_settings)))
    print("inventory:  %s" % lab_settings.inventory_dir)
    print("config dir: %s" % lab_settings.config_dir)
    print("playbook:   %s"
          % paths.profile_playbook(lab_settings.profile))
    if args.profile in settings_mod.KOLLA_SITE_PROFILES:
        print("clouds.yaml: %s (clouds %s and %s)"
              % (keystone_lab.clouds_path(lab_settings),
                 keystone_lab.PROBE_CLOUD, keystone_lab.ADMIN_CLOUD))
    print("Upgrade with kolla-ansible:\n"
          "  eval \"$(kolla-zdu-lab --state-dir %s env)\"\n"
          "  kolla-zdu-lab --state-dir %s target %s\n"
          "  kolla-ansible upgrade -i $LAB_INVENTORY --configdir "
          "$LAB_CONFIGDIR -p $LAB_PLAYBOOK"
          % (lab_settings.state_dir, lab_settings.state_dir,
             kolla_config.releases()[-1]))


def format_urls(lab_settings, target):
    """Return the lines naming the profile's services through the VIP.

    :param target: what the lab runs, named on the first service's line.
    """
    lines = ["%s through the VIP: %s" % item
             for item in lab_settings.service_urls()]
    lines[0] += " (runs %s)" % target
    return "\n".join(lines)


def load_for_profile(args, profiles, what, hint=None):
    """Return the lab's settings; raise LabError unless it runs a profile.

    :param profiles: the profile, or a tuple of the profiles, that
        ``what`` needs.
    :param what: the command or options that need ``profile``.
    :param hint: what to do instead, for the error message.
    """
    if isinstance(profiles, str):
        profiles = (profiles,)
    lab_settings = settings_mod.load_settings(args.state_dir)
    if lab_settings.profile not in profiles:
        raise errors.LabError(
            reason="%s applies to the %s profile%s; this lab runs the %s "
                   "profile%s" % (what, " and ".join(profiles),
                                  "s" if len(profiles) > 1 else "",
                                  lab_settings.profile,
                                  " (%s)" % hint if hint else ""))
    return lab_settings


def cmd_env(args):
    print(lab.format_environment(settings_mod.load_settings(args.state_dir)))


def cmd_target(args):
    if args.startup_delay is not None or args.exclusive_schema is not None:
        lab_settings = load_for_profile(
            args, "demo", "--startup-delay and --(no-)exclusive-schema")
    else:
        lab_settings = settings_mod.load_settings(args.state_dir)
    kolla_config.set_target(lab_settings, args.version)
    options = {}
    if args.startup_delay is not None:
        options["zdu_demo_startup_delay"] = args.startup_delay
    if args.exclusive_schema is not None:
        options["zdu_demo_exclusive_schema"] = args.exclusive_schema
    if options:
        kolla_config.set_globals(kolla_config.globals_path(lab_settings),
                                 options)
    if args.exclusive_schema is False:
        marker = kolla_config.reset_schema(lab_settings)
        if marker:
            print("removed the schema marker %s" % marker)
    print("%s: %s in %s" % (
        kolla_config.target_key(lab_settings), args.version,
        kolla_config.globals_path(lab_settings)))


def cmd_restore(args):
    lab_settings = load_for_profile(args, settings_mod.KOLLA_SITE_PROFILES,
                                    "restore", "use `kolla-zdu-lab target`")
    snapshots.restore_release(lab_settings, args.version,
                              timeout=lab.SERVICE_READY_TIMEOUT)
    print("%s %s deployed from its database dump %s"
          % (lab_settings.profile, args.version,
             snapshots.snapshot_path(
                 lab_settings,
                 kolla_config.service_version(lab_settings, args.version))))


def cmd_status(args):
    lab_settings = settings_mod.load_settings(args.state_dir)
    result = status.lab_status(lab_settings)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(status.format_status(result))


def cmd_down(args):
    lab.down(args.state_dir)
    print("lab removed; images stay cached in docker")


def cmd_demo(args):
    load_for_profile(args, "demo", "demo",
                     "tox -e functional-keystone measures keystone")
    print(scenario.demo(args.state_dir, strategy=args.strategy,
                        rate=args.rate, min_requests=args.min_requests))


def cmd_kolla_ansible(args):
    lab_settings = settings_mod.load_settings(args.state_dir)
    code = deploy.run_interactive(lab_settings, [args.action] + args.args)
    if code != 0:
        raise errors.LabError(reason="kolla-ansible %s exited %d"
                              % (args.action, code))


COMMANDS = {"up": cmd_up, "env": cmd_env, "target": cmd_target,
            "restore": cmd_restore, "kolla-ansible": cmd_kolla_ansible,
            "status": cmd_status, "demo": cmd_demo, "down": cmd_down}


def main(argv=None):
    """Run kolla-zdu-lab; return the exit code."""
    args = build_parser().parse_args(argv)
    progress.configure_logging(verbose=args.verbose)
    try:
        COMMANDS[args.command](args)
    except exceptions.ZduError as error:
        print("kolla-zdu-lab: error: %s" % error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kolla-zdu-lab: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
