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
"""``kolla-zdu-bench``: upgrade the lab with every strategy and compare.

On a 3-node lab: a plain ``kolla-ansible upgrade`` (the baseline), then
``--zero-downtime`` with rolling, parallel and auto, then auto on zdu-demo
made mixed-version-unsafe. On a 1-node lab: a plain upgrade, then buffer.
Each upgrade runs under the availability probe while HAProxy's memory is
sampled on every node. The bench prints one table, writes every figure as
JSON next to the probe reports, and writes
``doc/source/reference/benchmark-results.rst``.

It exits 1 if an upgrade command failed; targets that were missed are
reported, not treated as errors. It needs root and a running dockerd, and
takes the machine's lab: it brings it up (or reuses it) and takes it down
at the end unless ``--keep-lab``.
"""

import argparse
import datetime
import json
import logging
import os
import shlex
import sys

from kolla_zdu_bench.upgrade import figures as upgrade_figures
from kolla_zdu_bench.upgrade import lab as upgrade_lab
from kolla_zdu_bench.upgrade import memory_sampler
from kolla_zdu_bench.upgrade import rst as upgrade_rst
from kolla_zdu_bench.upgrade import scenarios as upgrade_scenarios
from kolla_zdu_bench.upgrade import targets as targets
from kolla_zdu_lab import kolla_config
from kolla_zdu_lab import progress
from kolla_zdu_lab import scenario as lab_scenario
from kolla_zdu_lab import settings as settings_mod
from kolla_zdu_plugin import exceptions

LOG = logging.getLogger(__name__)
PROG = 'kolla-zdu-bench'
DOCS_FILE = os.path.join('doc', 'source', 'reference',
                         'benchmark-results.rst')
RESULTS_FILE = 'benchmark-results.json'
SETTLE_SECONDS = 20.0


def _names(text):
    return [name for name in text.split(',') if name]


def build_parser():
    """Return the argument parser of kolla-zdu-bench."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description='Upgrade the lab with every zero-downtime strategy '
                    'under the availability probe, and compare.',
        epilog='Scenarios, in run order: %s.'
               % ', '.join(upgrade_scenarios.NAMES))
    parser.add_argument('--scenarios', type=_names,
                        default=list(upgrade_scenarios.NAMES),
                        help='Comma-separated scenarios to run (default: '
                             'all).')
    parser.add_argument('--rate', type=float, default=100.0,
                        help='Probe requests per second (default: '
                             '%(default)s).')
    parser.add_argument('--min-requests', type=int, default=6000,
                        help='Requests the probe sends at least in each '
                             'upgrade run (default: %(default)s).')
    parser.add_argument('--settle-seconds', type=float,
                        default=SETTLE_SECONDS,
                        help='Seconds of steady traffic before each upgrade '
                             '(default: %(default)s).')
    parser.add_argument('--state-dir',
                        default=settings_mod.default_state_dir(),
                        help='State directory of the lab (default: '
                             '%(default)s).')
    parser.add_argument('--output-dir',
                        help='Directory of the probe reports, upgrade logs '
                             'and %s (default: a new directory beside the '
                             'state directory).' % RESULTS_FILE)
    parser.add_argument('--docs-file', default=DOCS_FILE,
                        help='The results page to write (default: '
                             '%(default)s).')
    parser.add_argument('--no-docs', action='store_true',
                        help='Do not write the results page.')
    parser.add_argument('--keep-lab', action='store_true',
                        help='Leave the lab running at the end.')
    parser.add_argument('-v', '--verbose', action='store_true',
                        help='Show debug output.')
    return parser


def parse_args(argv):
    """Return the checked command line."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(argv)
    args.max_hold_time = targets.default_max_hold_time()
    if args.rate <= 0 or args.min_requests <= 0 or args.settle_seconds < 0:
        parser.error('--rate and --min-requests must be positive and '
                     '--settle-seconds not negative')
    try:
        args.plan = upgrade_scenarios.select(args.scenarios)
    except exceptions.ConfigError as error:
        parser.error(str(error))
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime(
        '%Y%m%dT%H%M%SZ')
    args.output_dir = os.path.abspath(
        args.output_dir or '%s-bench-%s' % (args.state_dir.rstrip('/'),
                                            stamp))
    state_dir = os.path.abspath(args.state_dir)
    if os.path.commonpath([state_dir, args.output_dir]) == state_dir:
        parser.error('--output-dir %s is inside the state directory %s, '
                     'which `kolla-zdu-lab down` removes; choose another'
                     % (args.output_dir, state_dir))
    return args


def run_scenario(args, lab_settings, scenario, version):
    """Upgrade the lab to ``version`` as ``scenario`` says; return figures."""
    LOG.info("scenario %s on %d node(s): %s upgrade to %s", scenario.name,
             scenario.nodes, scenario.strategy or 'plain', version)
    upgrade_lab.prepare_target(lab_settings, scenario)
    extra = upgrade_lab.zdu_config_args(scenario, args.output_dir)
    with progress.Stopwatch() as watch:
        with memory_sampler.Sampler(lab_settings.node_names()) as sampler:
            outcome = lab_scenario.upgrade_under_probe(
                args.state_dir, version, scenario.name,
                strategy=scenario.strategy, rate=args.rate,
                min_requests=args.min_requests, output_dir=args.output_dir,
                extra_args=extra, settle_seconds=args.settle_seconds)
    item = upgrade_figures.figures(scenario, outcome, sampler.peaks)
    LOG.info("scenario %s done in %.0f s: upgrade %.1f s, exit %d, "
             "%d of %d requests failed", scenario.name, watch.seconds,
             outcome.upgrade_seconds, outcome.return_code, item['failed'],
             item['requests'])
    return item


def document(args, results):
    """Return the JSON document of the run so far."""
    return {
        'date': datetime.datetime.now(datetime.timezone.utc).strftime(
            '%Y-%m-%d %H:%M UTC'),
        'machine': upgrade_rst.machine_facts(),
        'command': ' '.join([PROG] + [shlex.quote(a) for a in args.argv]),
        'rate': args.rate,
        'min_requests': args.min_requests,
        'settle_seconds': args.settle_seconds,
        'max_hold_time': args.max_hold_time,
        'output_dir': args.output_dir,
        'results': upgrade_figures.complete(results, args.plan,
                                            args.max_hold_time),
    }


def write_json(args, results):
    """Write the figures so far to the output directory; return them."""
    run = document(args, results)
    path = os.path.join(args.output_dir, RESULTS_FILE)
    with open(path + '.tmp', 'w') as stream:
        json.dump(run, stream, indent=2, sort_keys=True)
    os.replace(path + '.tmp', path)
    return run


def run_all(args, results):
    """Run the planned scenarios, one lab per node count.

    :param results: the list each scenario's figures are appended to, so
        the figures of the scenarios that ran survive an error.
    """
    for nodes, group in upgrade_scenarios.by_lab(args.plan):
        lab_settings = upgrade_lab.ensure_lab(args.state_dir, nodes)
        version = kolla_config.target_version(lab_settings)
        for scenario in group:
            version = upgrade_scenarios.other_version(version)
            results.append(run_scenario(args, lab_settings, scenario,
                                        version))
            write_json(args, results)


def write_docs(args, run):
    """Write the results page, unless ``--no-docs``; return its path."""
    if args.no_docs:
        return None
    if not os.path.isdir(os.path.dirname(os.path.abspath(args.docs_file))):
        LOG.warning("not writing %s: its directory does not exist; run "
                    "from the repository's top directory or pass "
                    "--docs-file", args.docs_file)
        return None
    with open(args.docs_file, 'w') as stream:
        stream.write(upgrade_rst.render(run))
    return args.docs_file


def report(args, results, docs=True):
    """Print the table, write the JSON and the page; return the exit code.

    :param docs: whether the run finished, so the page may be written.
    """
    run = write_json(args, results)
    print(upgrade_figures.text_table(run['results']))
    for name, target, detail in targets.unmet(run['results']):
        print('target not met: %s: %s (%s)' % (name, target, detail))
    print('figures: %s' % os.path.join(args.output_dir, RESULTS_FILE))
    page = write_docs(args, run) if docs else None
    if page:
        print('results page: %s' % page)
    failed = [item['scenario'] for item in run['results']
              if item['return_code'] != 0]
    if failed:
        print('%s: upgrade command failed in: %s; see the logs in %s'
              % (PROG, ', '.join(failed), args.output_dir), file=sys.stderr)
        return 1
    return 0


def main(argv=None):
    """Run kolla-zdu-bench; return the exit code."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    progress.configure_logging(verbose=args.verbose)
    os.makedirs(args.output_dir, exist_ok=True)
    LOG.info("results go to %s", args.output_dir)
    results = []
    code = 0
    try:
        run_all(args, results)
    except exceptions.ZduError as error:
        print('%s: error: %s' % (PROG, error), file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        print('%s: interrupted' % PROG, file=sys.stderr)
        code = 130
    finally:
        if not args.keep_lab:
            upgrade_lab.take_down(args.state_dir)
    if results or code == 0:
        code = max(code, report(args, results, docs=code == 0))
    return code


if __name__ == '__main__':
    sys.exit(main())
