#!/usr/bin/env bash
# The gap from libvirt's Stopped event to the next Started event for a guest that resets itself
# at every boot (on_reboot=destroy), over about CYCLES cycles of each kind, on each libvirt, in
# one run; measured with `virsh event --loop --timestamp` on a private libvirtd:
#   floor  the same VM unmanaged (the hook returns at once), started again by a plain
#          `virsh start` the moment `virsh event` reports it stopped
#   hook   the VM with a stateless disk and a restart section: the hook reverts the disk and its
#          restart worker starts the VM
#
#   sudo bench/restart-gap.sh [CYCLES [LIBVIRT...]]
#        CYCLES default 25; LIBVIRT: host, trixie (scripts/debian-root.sh builds it once) or a
#        root directory; default: host trixie. Build first: ./test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/private-libvirtd.sh
binary="${LIBVIRT_HOOK_BINARY:-$PWD/artifacts/hook/libvirt-hook}"
[ -x "$binary" ] || { echo "bench: no hook binary at $binary; run ./test.sh first" >&2; exit 1; }
CYCLES="${1:-25}"
export ROUNDS=5
export PER_PHASE=$(( (CYCLES + ROUNDS - 1) / ROUNDS ))
shift || true
[ $# -gt 0 ] || set -- host trixie

work=$(mktemp -d /tmp/restart-gap-XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
export HOOK_BINARY="$work/libvirt-hook"
cp "$binary" "$HOOK_BINARY"


status=0
index=0
for libvirt in "$@"; do
    index=$((index + 1))
    dir="$work/$index"
    mkdir -m 755 "$dir"
    root=$(private_libvirt_root "$libvirt")
    tiny_guest_disk END_RESET "$dir/disk.qcow2"
    tiny_guest_xml bench-reset "$dir/disk.qcow2" "$dir/serial.log" > "$dir/domain.xml"
    if ! private_libvirt_run "$root" "$work" bash bench/restart_gap_inside.sh "$dir"; then
        echo "bench: the run on $libvirt failed" >&2
        status=1
        continue
    fi
    echo "== $(cat "$dir/version") ($libvirt): $ROUNDS rounds of $PER_PHASE floor then $PER_PHASE hook cycles"
    # One file per kind; a line between phases keeps a phase's last stop from pairing with the next phase's first start.
    for kind in floor hook; do
        for file in "$dir/$kind"-*.events; do cat "$file"; echo "-- end of a phase"; done > "$dir/$kind.events"
    done
    python3 bench/event_gaps.py "$dir/floor.events" "$dir/hook.events"
    echo "boots the guest printed: $(grep -c "^boot" "$dir/serial.log")"
    python3 bench/log_figures.py < "$dir/hooks.json"
done
exit $status
