#!/usr/bin/env bash
# The main job on the built-in lab, as root on a Debian host: install what
# is needed, bring the three-node lab up (real kolla-ansible deploy), then
# upgrade it under a constant load twice, first with a plain
# `kolla-ansible upgrade`, then with `--zero-downtime`, and print both
# availability reports side by side.
#
#   bash tools/lab-demo.sh                      # strategy auto
#   ZDU_STRATEGY=rolling bash tools/lab-demo.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${ZDU_VENV:-/opt/kolla-zdu/venv}

bash "$ROOT/tools/ci/prepare-host.sh"
export PATH="$VENV/bin:$PATH"
if ! kolla-zdu-lab up --profile demo; then
    # A lab of another profile or size, from an earlier run on this host:
    # the demo needs the three-node demo lab.
    echo "bringing the lab up again as the three-node demo lab"
    kolla-zdu-lab down
    kolla-zdu-lab up --profile demo
fi
kolla-zdu-lab demo --strategy "${ZDU_STRATEGY:-auto}"
echo "The lab is still running: kolla-zdu-lab status; kolla-zdu-lab down"
