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

# A pid file left by a daemon that is gone: a machine restored from a
# snapshot keeps /var/run, and dockerd then waits for a containerd that
# "is still running" under a pid that is now another process or none.
clear_stale_pid_file() {
    # $1: the pid file; $2: the process name it should name.
    local pid
    [ -f "$1" ] || return 0
    pid=$(cat "$1" 2>/dev/null || true)
    if [ -z "$pid" ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$2" ]; then
        log "removing the stale pid file $1 (pid ${pid:-none} is not $2)"
        rm -f "$1"
    fi
}

start_dockerd() {
    local log_file=/var/log/kolla-zdu/dockerd.log
    if docker info >/dev/null 2>&1; then
        return
    fi
    mkdir -p /var/log/kolla-zdu
    if ! pgrep -x dockerd >/dev/null; then
        clear_stale_pid_file /var/run/docker.pid dockerd
        clear_stale_pid_file /var/run/docker/containerd/containerd.pid \
            containerd
    fi
    log "starting dockerd"
    nohup dockerd >"$log_file" 2>&1 &
    for _ in $(seq 1 90); do
        docker info >/dev/null 2>&1 && return
        sleep 1
    done
    log "dockerd did not start in 90 s; the end of $log_file:"
    tail -n 15 "$log_file" | cut -c1-300
    exit 1
}

install_packages
create_venv
if [ "${ZDU_SKIP_DOCKER:-0}" != "1" ]; then
    start_dockerd
fi
log "ready: virtualenv $VENV"
