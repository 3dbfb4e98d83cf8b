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
"""Measure how HAProxy 2.6 can hold requests while a service restarts.

Run ``python -m kolla_zdu_bench.hold.cli --help``. Everything
runs on loopback: a local HAProxy configured like kolla's, small Python
backends, and a bounded open-loop load. Scenarios:

* ``gap``: every server drained/held, stopped, restarted after GAP seconds,
  released once its readiness probe passes;
* ``overflow``: the same with a 5 s gap and few held requests allowed;
* ``unplanned``: one server killed without telling HAProxy (normal
  operation with the mechanism's lines installed);
* ``memory``: HAProxy's RSS, pools and CPU with N idle held requests.
"""

import argparse
import asyncio
import json
import logging
import signal
import sys

from kolla_zdu_bench.hold import mechanisms
from kolla_zdu_bench.hold import scenarios
from kolla_zdu_bench import report

LOG = logging.getLogger(__name__)

SCENARIOS = ('gap', 'overflow', 'unplanned', 'memory')
MAX_GAP = 60
MAX_HELD_IDLE = 4000
OVERFLOW_GAP = 5
UNPLANNED_GAP = 10
MEMORY_HOLD_TIME = 60


def _int_list(text):
    return [int(item) for item in text.split(',') if item]


def parse_args(argv):
    """Return the parsed command line."""
    parser = argparse.ArgumentParser(
        prog='kolla-zdu-hold-bench',
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n\n'.join(__doc__.split('\n\n')[1:]))
    parser.add_argument('--mechanisms', default=','.join(
        mechanisms.MECHANISMS), help='comma-separated, among %s' % ', '.join(
        mechanisms.MECHANISMS))
    parser.add_argument('--scenarios', default='gap,overflow,unplanned',
                        help='comma-separated, among %s' % ', '.join(
                            SCENARIOS))
    parser.add_argument('--gaps', type=_int_list, default=[2, 5, 10, 25],
                        help='outage lengths in seconds (at most %d)'
                             % MAX_GAP)
    parser.add_argument('--held', type=_int_list, default=[0, 500, 2000],
                        help='idle held requests of the memory scenario '
                             '(at most %d)' % MAX_HELD_IDLE)
    parser.add_argument('--rate', type=int, default=100,
                        help='requests a second (at most 500)')
    parser.add_argument('--max-hold-time', type=int, default=20)
    parser.add_argument('--max-held-requests', type=int, default=2000)
    parser.add_argument('--overflow-held', type=int, default=50,
                        help='max_held_requests of the overflow scenario')
    parser.add_argument('--servers', type=int, default=2)
    parser.add_argument('--port', type=int, default=18400,
                        help='frontend port on 127.0.0.1; backends use '
                             'the next ones')
    parser.add_argument('--stop-signal', choices=('TERM', 'KILL'),
                        default='TERM',
                        help='TERM stops a backend gracefully, KILL crashes '
                             'it')
    parser.add_argument('--json', metavar='FILE',
                        help='also write every figure to FILE')
    parser.add_argument('-v', '--verbose', action='store_true')
    args = parser.parse_args(argv)
    if max(args.gaps, default=0) > MAX_GAP or \
            max(args.held, default=0) > MAX_HELD_IDLE:
        parser.error('gaps are bounded to %d s and held requests to %d'
                     % (MAX_GAP, MAX_HELD_IDLE))
    return args


def build(name, args, max_hold_time=None, max_held_requests=None):
    """Return the mechanism ``name`` with the command line's bounds."""
    return mechanisms.MECHANISMS[name](
        max_hold_time or args.max_hold_time,
        max_held_requests or args.max_held_requests)


def runs(args):
    """Yield ``(label, coroutine factory)`` for every requested run."""
    settings = scenarios.Settings(
        port=args.port, servers=args.servers, rate=args.rate,
        stop_signal=getattr(signal, 'SIG' + args.stop_signal))
    wanted = args.scenarios.split(',')
    for name in args.mechanisms.split(','):
        for gap in args.gaps if 'gap' in wanted else ():
            yield (name, 'gap %d' % gap), (
                lambda n=name, g=gap: scenarios.restart_gap(
                    build(n, args), g, settings))
        if 'overflow' in wanted:
            yield (name, 'overflow'), (lambda n=name: scenarios.restart_gap(
                build(n, args, max_held_requests=args.overflow_held),
                OVERFLOW_GAP, settings, scenario='overflow'))
        if 'unplanned' in wanted:
            yield (name, 'unplanned'), (lambda n=name: scenarios.unplanned(
                build(n, args), UNPLANNED_GAP, settings))
        for held in args.held if 'memory' in wanted else ():
            yield (name, 'memory %d' % held), (
                lambda n=name, h=held: scenarios.memory(
                    build(n, args, max_hold_time=MEMORY_HOLD_TIME), h,
                    settings))


async def run_all(args):
    """Run every requested scenario in turn; return the figures."""
    results = []
    for label, factory in runs(args):
        LOG.info('running %s / %s', *label)
        outcome = await factory()
        results.append(outcome)
        LOG.info('%s', report.one_line(outcome))
    return results


def main(argv=None):
    """Run the bench and print its tables."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format='%(asctime)s %(message)s')
    results = asyncio.run(run_all(args))
    print(report.legend(mechanisms.MECHANISMS[name]
                        for name in args.mechanisms.split(',')))
    print(report.tables(results))
    if args.json:
        with open(args.json, 'w') as out:
            json.dump(results, out, indent=1, default=report.as_json)
    return 0


if __name__ == '__main__':
    sys.exit(main())
