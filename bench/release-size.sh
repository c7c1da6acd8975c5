#!/usr/bin/env bash
# How long release takes as a function of how much the guest wrote to its overlay: the hook's
# release (run the way libvirtd runs it) beside what release cost before it set the overlay aside,
# a rename(2) of the base over an overlay of the same size, and how long the detached discard
# worker then takes to remove the overlay. Images live on the real filesystem under /var/tmp
# (tmpfs frees pages, not extents, and would flatter both); the hook's config, state and log
# directories are tmpfs in a private mount namespace, so the host's libvirt setup is untouched.
#
#   sudo bench/release-size.sh [ROUNDS [MIB...]]     defaults: 5 rounds of 0 128 512 MiB
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${LIBVIRT_HOOK_BINARY:-$PWD/artifacts/hook/libvirt-hook}"
[ -x "$binary" ] || { echo "bench: no hook binary at $binary; run ./test.sh or dotnet publish first" >&2; exit 1; }
rounds="${1:-5}"
shift || true
[ $# -gt 0 ] || set -- 0 128 512
work=$(mktemp -d /var/tmp/release-size-XXXXXX)
trap 'rm -rf "$work"' EXIT
scripts/private-hook-dirs.sh "$binary" python3 bench/release_size.py /etc/libvirt/hooks/qemu "$work" "$rounds" "$@"
