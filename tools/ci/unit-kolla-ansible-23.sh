#!/usr/bin/env bash
# Run the unit suites against kolla-ansible 23 (2026.2), which needs
# Python >= 3.12: in a Debian trixie chroot (python3.13 from Debian), built
# with debootstrap and kept under $ZDU_TRIXIE_ROOT for the next run.
#
# The chroot gets a copy of the checkout at /src, a virtualenv with
# kolla-ansible 23, the collections of the matching ``ansible`` package,
# the plugin and the test tools, and runs ``stestr --test-path tests/unit``.
# Run as root on the Debian host; exits with the tests' status.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CHROOT=${ZDU_TRIXIE_ROOT:-/var/cache/kolla-zdu/trixie}
MIRROR=${ZDU_DEBIAN_MIRROR:-http://deb.debian.org/debian}
KOLLA_ANSIBLE=${ZDU_KOLLA_ANSIBLE_23:-kolla-ansible==23.0.0}
# ansible N carries ansible-core 2.(N-7); kolla-ansible 23 takes core 2.21.
ANSIBLE=${ZDU_ANSIBLE_23:-ansible==14.*}
VENV=/opt/kolla-ansible-23
# What the unit suites run beside Python: HAProxy on loopback for the
# runtime API tests, git and ssh-keygen.
PACKAGES="python3 python3-venv openssl ca-certificates haproxy git openssh-client"

log() { printf '[unit-kolla-ansible-23 %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

in_chroot() { chroot "$CHROOT" /usr/bin/env -i HOME=/root \
    PATH="$VENV/bin:/usr/sbin:/usr/bin:/sbin:/bin" LANG=C.UTF-8 \
    PBR_VERSION="${PBR_VERSION:-0.0.1}" "$@"; }

cleanup() {
    for mount in "$CHROOT/proc" "$CHROOT/dev"; do
        if mountpoint -q "$mount"; then umount -l "$mount"; fi
    done
}

if [ ! -x "$CHROOT/usr/bin/python3" ]; then
    command -v debootstrap >/dev/null || {
        log "debootstrap is missing; run tools/ci/prepare-host.sh first"
        exit 1; }
    log "building a Debian trixie chroot in $CHROOT (about 2 min)"
    rm -rf "$CHROOT.partial"
    mkdir -p "$(dirname "$CHROOT")"
    debootstrap --variant=minbase --include="${PACKAGES// /,}" \
        trixie "$CHROOT.partial" "$MIRROR" >"$CHROOT.log" 2>&1 || {
        log "debootstrap failed; see $CHROOT.log"; exit 1; }
    mv "$CHROOT.partial" "$CHROOT"
fi
trap cleanup EXIT
mountpoint -q "$CHROOT/proc" || mount -t proc proc "$CHROOT/proc"
mountpoint -q "$CHROOT/dev" || mount --bind /dev "$CHROOT/dev"
# pip inside the chroot verifies PyPI with the host's CA bundle.
cp /etc/ssl/certs/ca-certificates.crt "$CHROOT/etc/ssl/certs/"
cp /etc/resolv.conf "$CHROOT/etc/resolv.conf"

missing=""
for package in $PACKAGES; do
    in_chroot dpkg-query -W -f='${Status}' "$package" 2>/dev/null \
        | grep -q "install ok installed" || missing="$missing $package"
done
if [ -n "$missing" ]; then
    log "installing in the chroot:$missing"
    # shellcheck disable=SC2086
    in_chroot /bin/sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends $missing" >/dev/null
fi

log "copying the checkout to $CHROOT/src"
rm -rf "$CHROOT/src"
mkdir -p "$CHROOT/src"
tar -C "$ROOT" --exclude=./.git --exclude=./.stestr --exclude='*.egg-info' \
    -cf - . | tar -C "$CHROOT/src" -xf -

if [ ! -x "$CHROOT$VENV/bin/python" ]; then
    in_chroot python3 -m venv "$VENV"
fi
log "installing $KOLLA_ANSIBLE, $ANSIBLE and the plugin (Python $(in_chroot \
    python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])'))"
# The unit suites' tools only: style and lint run once, on the host.
in_chroot pip install -q --disable-pip-version-check "$KOLLA_ANSIBLE" \
    "$ANSIBLE" -r /src/requirements.txt oslotest stestr fixtures docutils
in_chroot pip install -q --disable-pip-version-check --no-deps -e /src \
    -e /src/tools/harness

in_chroot python3 -c 'import importlib.metadata as m; print("kolla-ansible",
    m.version("kolla-ansible"), "ansible-core", m.version("ansible-core"))'
log "unit tests against kolla-ansible 23"
status=0
in_chroot /bin/sh -c 'cd /src && ANSIBLE_TRANSFORM_INVALID_GROUP_CHARS=ignore \
    OS_LOG_CAPTURE=1 OS_STDOUT_CAPTURE=1 OS_STDERR_CAPTURE=1 \
    stestr --test-path tests/unit run' || status=$?
exit $status
