#!/usr/bin/env bash
# Prepare a Debian host, as root, for the tests and the lab: install the
# Debian packages, create the project's virtualenv, install the plugin with
# kolla-ansible, the test harness (tools/harness: the lab and the benches)
# and the test tools into it, and start dockerd.
# Idempotent: a second run only checks what the first one did.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VENV=${ZDU_VENV:-/opt/kolla-zdu/venv}
PACKAGES="docker.io haproxy socat debootstrap docker-registry iproute2 openssh-client \
python3-venv python3-dev gcc libyaml-dev git curl"

log() { printf '[prepare-host %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

install_packages() {
    local missing=""
    for package in $PACKAGES; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null \
            | grep -q "install ok installed" || missing="$missing $package"
    done
    if [ -n "$missing" ]; then
        log "installing Debian packages:$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
    fi
}

create_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        log "creating virtualenv $VENV"
        mkdir -p "$(dirname "$VENV")"
        python3 -m venv "$VENV"
    fi
    log "installing kolla-zdu-plugin, kolla-ansible and test tools into $VENV"
    "$VENV/bin/pip" install -q --upgrade pip
    "$VENV/bin/pip" install -q -r "$ROOT/requirements.txt" \
        -r "$ROOT/test-requirements.txt"
    "$VENV/bin/pip" install -q -e "$ROOT[plot]"
    "$VENV/bin/pip" install -q -e "$ROOT/tools/harness"
    # kolla-ansible's filters and group_vars use ansible.utils and other
    # collections, which the unit tests evaluate too.
    "$VENV/bin/python" -c \
        'from kolla_zdu_lab import ansible_deps; ansible_deps.ensure_collections()'
}

start_dockerd() {
    if docker info >/dev/null 2>&1; then
        return
    fi
    log "starting dockerd"
    mkdir -p /var/log/kolla-zdu
    nohup dockerd >/var/log/kolla-zdu/dockerd.log 2>&1 &
    for _ in $(seq 1 60); do
        docker info >/dev/null 2>&1 && return
        sleep 1
    done
    log "dockerd did not start; see /var/log/kolla-zdu/dockerd.log"
    exit 1
}

install_packages
create_venv
if [ "${ZDU_SKIP_DOCKER:-0}" != "1" ]; then
    start_dockerd
fi
log "ready: virtualenv $VENV"
