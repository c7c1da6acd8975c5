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

# Runs inside the namespace, on one libvirt: ROUNDS rounds of a floor phase then a hook phase,
# on the same VM, so that the machine's drift (other work, a 2-core VM) hits both alike.
inner='
    set -euo pipefail
    dir="$1"
    source scripts/private-libvirtd.sh
    # The figures come from the log through its own catalogue (libvirt-hook log --json).
    trap "\"$HOOK_BINARY\" log --json > \"$dir/hooks.json\" || true; private_libvirtd_stop" EXIT
    private_libvirtd_start
    private_libvirtd_version > "$dir/version"
    virsh_() { virsh -q -c qemu:///system "$@"; }
    virsh_ define "$dir/domain.xml" >/dev/null
    config=/etc/libvirt/hooks/config/bench-reset.json
    # wait_for_count FILE TEXT N: until FILE holds N lines with TEXT.
    wait_for_count() {
        local deadline=$((SECONDS + 60 + PER_PHASE * 5))
        until [ "$(grep -c "$2" "$1" || true)" -ge "$3" ]; do
            [ $SECONDS -lt $deadline ] || { echo "bench: only $(grep -c "$2" "$1" || true) of $3 \"$2\" events before the deadline" >&2; return 1; }
            sleep 0.2
        done
    }
    # record FILE: lifecycle events with timestamps; virsh itself, so that $! is the process to kill.
    record() {
        virsh -q -c qemu:///system event --loop --timestamp --event lifecycle --domain bench-reset > "$1" 2>/dev/null &
        recorder=$!
        sleep 0.3
    }
    # settle: the VM is off and stays off (no restart worker left to start it).
    settle() {
        local quiet=0
        until [ $quiet -ge 5 ]; do
            if [ "$(virsh_ domstate bench-reset)" = "shut off" ]; then quiet=$((quiet + 1)); else quiet=0; fi
            sleep 0.2
        done
    }

    for round in $(seq "$ROUNDS"); do
        # Floor: no config, so the hook only looks and returns; a watcher starts the VM again
        # the moment virsh event says it stopped.
        rm -f "$config"
        record "$dir/floor-$round.events"
        virsh_ event --loop --event lifecycle --domain bench-reset 2>/dev/null | {
            n=0
            while read -r line; do
                case "$line" in
                    *": Stopped"*)
                        n=$((n + 1))
                        [ "$n" -le "$PER_PHASE" ] || break
                        virsh_ start bench-reset >/dev/null ;;
                esac
            done
        } &
        sleep 0.3
        virsh_ start bench-reset >/dev/null
        wait_for_count "$dir/floor-$round.events" ": Stopped" $((PER_PHASE + 1))
        settle
        kill "$recorder"

        # Hook: a stateless disk and a restart section; the restart worker brings it back.
        echo "{\"disks\": [{\"target\": \"hda\"}], \"restart\": {\"max-restarts\": 1000}}" > "$config"
        record "$dir/hook-$round.events"
        virsh_ start bench-reset >/dev/null
        wait_for_count "$dir/hook-$round.events" ": Started" $((PER_PHASE + 1))
        echo "{\"disks\": [{\"target\": \"hda\"}]}" > "$config"
        settle
        kill "$recorder"
    done
'

status=0
index=0
for libvirt in "$@"; do
    index=$((index + 1))
    dir="$work/$index"
    mkdir -m 755 "$dir"
    root=$(private_libvirt_root "$libvirt")
    tiny_guest_disk END_RESET "$dir/disk.qcow2"
    tiny_guest_xml bench-reset "$dir/disk.qcow2" "$dir/serial.log" > "$dir/domain.xml"
    if ! private_libvirt_run "$root" "$work" bash -c "$inner" bench "$dir"; then
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
