#!/usr/bin/env bash
# Wall time per hook event of the installed-style AOT binary, run the way libvirtd runs it
# (argv + domain XML on stdin). Runs in a private mount namespace with tmpfs over the hook's
# config, state and log directories, so the host's libvirt setup is never read or written.
#
#   sudo bench/hook-latency.sh [ITERATIONS]        (build first: ./test.sh or install.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${LIBVIRT_HOOK_BINARY:-$PWD/artifacts/hook/libvirt-hook}"
[ -x "$binary" ] || { echo "bench: no hook binary at $binary; run ./test.sh or dotnet publish first" >&2; exit 1; }
exec unshare --mount --propagation private -- bash -c '
    set -euo pipefail
    for d in /etc/libvirt/hooks /var/lib/libvirt /var/log/libvirt; do
        mkdir -p "$d"; mount -t tmpfs -o mode=0755 tmpfs "$d"
    done
    # Installed as libvirt installs it: under the name "qemu" the binary is the hook.
    install -m 0755 "$1" /etc/libvirt/hooks/qemu
    exec python3 bench/hook_latency.py /etc/libvirt/hooks/qemu "$2"
' bench "$binary" "${1:-200}"
