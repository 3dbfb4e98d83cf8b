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
"""Check that a wheel of kolla-zdu-plugin holds the product and no harness.

    python tools/ci/check_wheel.py dist/kolla_zdu_plugin-*.whl

Exits 1, listing the offending files, when the wheel carries the lab, a
bench, a Dockerfile or the demo service, or lacks a part of the product.
"""

import re
import sys
import zipfile

HARNESS = re.compile(r'(^|/)(kolla_zdu_lab|kolla_zdu_bench|lab|bench|recipes)'
                     r'/|(^|/)Dockerfile$|demo_service')
REQUIRED = (
    'kolla_zdu_plugin/probe/load.py',
    'kolla_zdu_plugin/strategies/rolling.py',
    'share/kolla-zdu-plugin/ansible/library/zdu_haproxy.py',
    'share/kolla-zdu-plugin/ansible/library/zdu_wait_ready.py',
    'share/kolla-zdu-plugin/ansible/module_utils/zdu_readiness.py',
    'share/kolla-zdu-plugin/ansible/roles/zdu_service/tasks/main.yml',
    'share/kolla-zdu-plugin/ansible/roles/zdu_service/tasks/rolling.yml',
    'share/kolla-zdu-plugin/ansible/roles/zdu_preflight/tasks/main.yml',
)


def problems(names):
    """Return the problems of a wheel holding ``names``."""
    found = ['harness file in the wheel: %s' % name
             for name in names if HARNESS.search(name)]
    for required in REQUIRED:
        if not any(name.endswith(required) for name in names):
            found.append('missing from the wheel: %s' % required)
    return found


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        sys.stderr.write('usage: check_wheel.py WHEEL\n')
        return 2
    with zipfile.ZipFile(argv[0]) as wheel:
        names = wheel.namelist()
    found = problems(names)
    for problem in found:
        sys.stderr.write('%s\n' % problem)
    if not found:
        sys.stdout.write('%s: %d files, product only\n'
                         % (argv[0], len(names)))
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
