#!/usr/bin/env bash
# Runs COMMAND in a private mount namespace with tmpfs over the hook's config, state and log
# directories and BINARY installed as /etc/libvirt/hooks/qemu (under that name the binary is the
# hook; "-" installs none), so a benchmark can run the hook the way libvirtd does without reading or writing the
# host's libvirt setup. No libvirtd runs there: for that, see libvirt-namespace.sh.
#
#   sudo scripts/private-hook-dirs.sh BINARY|- COMMAND...
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 BINARY|- COMMAND..." >&2; exit 2; }
exec unshare --mount --propagation private -- bash -c '
    set -euo pipefail
    for d in /etc/libvirt/hooks /var/lib/libvirt /var/log/libvirt; do
        mkdir -p "$d"; mount -t tmpfs -o mode=0755 tmpfs "$d"
    done
    [ "$1" = - ] || install -m 0755 "$1" /etc/libvirt/hooks/qemu
    shift
    exec "$@"
' private-hook-dirs "$@"
