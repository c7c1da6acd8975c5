#!/usr/bin/env bash
# debian-root.sh [SUITE [DIR]]: a Debian root with libvirt, QEMU and qemu-img, for the end-to-end
# suite's second libvirt (trixie: libvirt 11.3, QEMU 10.0) and the package specs. Built once with
# debootstrap and reused while its marker file says it is complete; prints its path.
# Nothing of the host's is touched: the build runs in a private mount namespace, package scripts
# see a private /dev (a package script run against the host's /dev can change /dev/kvm's group),
# and no service is started inside the root.
set -euo pipefail

suite="${1:-trixie}"
root="${2:-/var/cache/libvirt-hook-tests/$suite-root}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
packages=(libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils)
marker="$root/.libvirt-hook-root"
want="$suite ${packages[*]} v1"

if [ -f "$marker" ] && [ "$(cat "$marker")" = "$want" ]; then
    echo "$root"
    exit 0
fi

[ "$(id -u)" -eq 0 ] || { echo "debian-root.sh: needs root (debootstrap, chroot)" >&2; exit 1; }
if ! command -v debootstrap >/dev/null; then
    echo "debian-root.sh: installing debootstrap" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

building="$root.building"
rm -rf "$building"
mkdir -p "$(dirname "$root")"
echo "debian-root.sh: building a $suite root in $root (about 3 minutes, once)" >&2
start=$(date +%s)

unshare --mount --propagation private -- bash -euo pipefail -s "$building" "$suite" "$mirror" "${packages[@]}" <<'EOF' >&2
building="$1" suite="$2" mirror="$3"; shift 3
debootstrap --variant=minbase "$suite" "$building" "$mirror" >/dev/null
# A private /dev with the few nodes package scripts use; never the host's.
mount -t tmpfs -o mode=0755 tmpfs "$building/dev"
for node in null zero full random urandom tty; do
    touch "$building/dev/$node"
    mount --bind "/dev/$node" "$building/dev/$node"
done
mount -t proc proc "$building/proc"
printf '#!/bin/sh\nexit 101\n' > "$building/usr/sbin/policy-rc.d"
chmod 0755 "$building/usr/sbin/policy-rc.d"
chroot "$building" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
chroot "$building" apt-get clean
EOF

# Two private daemons on one host must not share cgroup names.
printf '\n# libvirt-hook tests: several private daemons run at once\ncgroup_controllers = [ ]\n' \
    >> "$building/etc/libvirt/qemu.conf"
echo "$want" > "$building/.libvirt-hook-root"
rm -rf "$root"
mv "$building" "$root"
echo "debian-root.sh: $suite root ready in $(( $(date +%s) - start )) s: $(chroot "$root" dpkg-query -W -f '${Version}' libvirt-daemon) libvirt" >&2
echo "$root"
