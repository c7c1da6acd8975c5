#!/usr/bin/env bash
# The gap from libvirt's Stopped event to the next Started event for a guest that resets
# itself at every boot (on_reboot=destroy, stateless disk, restart section), over CYCLES
# cycles, measured with `virsh event --loop --timestamp` on a private libvirtd.
#
#   sudo bench/restart-gap.sh [CYCLES]        (default 25; build first: ./test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
export HOOK_BINARY="${LIBVIRT_HOOK_BINARY:-$PWD/artifacts/hook/libvirt-hook}"
[ -x "$HOOK_BINARY" ] || { echo "bench: no hook binary at $HOOK_BINARY; run ./test.sh first" >&2; exit 1; }
export CYCLES="${1:-25}"
exec unshare --mount --propagation private -- bash -c '
    set -euo pipefail
    source scripts/private-libvirtd.sh
    work=$(mktemp -d /tmp/restart-gap-XXXXXX); chmod 755 "$work"
    trap "private_libvirtd_stop; rm -rf \"$work\"" EXIT
    private_libvirtd_start
    virsh_() { virsh -q -c qemu:///system "$@"; }
    tiny_guest_disk END_RESET "$work/disk.qcow2"
    tiny_guest_xml bench-reset "$work/disk.qcow2" "$work/serial.log" > "$work/domain.xml"
    echo "{\"disks\": [{\"target\": \"hda\"}], \"restart\": {\"max-restarts\": 1000}}" > /etc/libvirt/hooks/config/bench-reset.json
    virsh_ define "$work/domain.xml" >/dev/null
    virsh_ event --loop --timestamp --event lifecycle --domain bench-reset > "$work/events.txt" 2>/dev/null &
    events=$!
    sleep 0.5
    virsh_ start bench-reset >/dev/null
    deadline=$((SECONDS + 30 + CYCLES * 5))
    until [ "$(grep -c "Started" "$work/events.txt")" -gt "$CYCLES" ]; do
        [ $SECONDS -lt $deadline ] || { echo "bench: only $(grep -c Started "$work/events.txt") starts before the deadline" >&2; break; }
        sleep 0.2
    done
    echo "{\"disks\": [{\"target\": \"hda\"}]}" > /etc/libvirt/hooks/config/bench-reset.json
    sleep 3
    virsh_ destroy bench-reset >/dev/null 2>&1 || true
    kill $events
    python3 bench/event_gaps.py "$work/events.txt"
    echo "boots the guest printed: $(grep -c "^boot" "$work/serial.log"), each saw counter: $(grep -o "seen=[0-9A-F]*" "$work/serial.log" | sort | uniq -c | tr -s " " | tr "\n" " ")"
    "$HOOK_BINARY" log --json | python3 bench/log_figures.py
'
