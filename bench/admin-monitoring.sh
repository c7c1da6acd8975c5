#!/usr/bin/env bash
# Wall time of `libvirt-hook check` and `libvirt-hook metrics` (and, for comparison, `status`)
# on a private libvirtd with VMS managed VMs: each a defined domain with a stateless qcow2 disk
# and a restart section, RUNNING of them running on their overlays, one held, and a hooks.log
# with a week of older lines in front of the real ones. Each command runs RUNS times.
#
#   sudo bench/admin-monitoring.sh [VMS] [RUNNING] [RUNS]   (default 50 10 20; build first: ./test.sh)
#   LIBVIRT_HOOK_BASELINE=old/libvirt-hook sudo bench/admin-monitoring.sh 50
#       also runs another build (an older commit's artifacts/hook/libvirt-hook), interleaved, and
#       checks that status --json, status, check and metrics print the same bytes with both
set -euo pipefail
cd "$(dirname "$0")/.."
export HOOK_BINARY="${LIBVIRT_HOOK_BINARY:-$PWD/artifacts/hook/libvirt-hook}"
[ -x "$HOOK_BINARY" ] || { echo "bench: no hook binary at $HOOK_BINARY; run ./test.sh first" >&2; exit 1; }
export BASELINE="${LIBVIRT_HOOK_BASELINE:-}"
[ -z "$BASELINE" ] || [ -x "$BASELINE" ] || { echo "bench: no baseline binary at $BASELINE" >&2; exit 1; }
export VMS="${1:-50}" RUNNING="${2:-10}" RUNS="${3:-20}"
exec unshare --mount --propagation private --pid --fork --mount-proc -- bash -c '
    set -euo pipefail
    source scripts/private-libvirtd.sh
    work=$(mktemp -d /tmp/admin-monitoring-XXXXXX); chmod 755 "$work"
    trap "private_libvirtd_stop; rm -rf \"$work\"" EXIT
    private_libvirtd_start
    virsh_() { virsh -q -c qemu:///system "$@"; }
    # Under its own name the binary is the admin command.
    install -m 0755 "$HOOK_BINARY" "$work/libvirt-hook"
    baseline=""
    if [ -n "$BASELINE" ]; then mkdir "$work/baseline"; install -m 0755 "$BASELINE" "$work/baseline/libvirt-hook"; baseline="$work/baseline/libvirt-hook"; fi
    tiny_guest_disk END_HALT "$work/template.qcow2"
    for i in $(seq -w 1 "$VMS"); do
        name="bench-vm-$i"
        cp "$work/template.qcow2" "$work/$name.qcow2"
        tiny_guest_xml "$name" "$work/$name.qcow2" "$work/$name.serial" > "$work/$name.xml"
        virsh_ define "$work/$name.xml" >/dev/null
        printf "{\"disks\": [{\"target\": \"hda\"}], \"restart\": {}}\n" > "/etc/libvirt/hooks/config/$name.json"
    done
    for i in $(seq -w 1 "$RUNNING"); do virsh_ start "bench-vm-$i" >/dev/null; done
    "$work/libvirt-hook" hold bench-vm-01 >/dev/null
    # A VM the outputs must get right too: a config that does not parse, for a domain that is not defined.
    printf "{\"disks\": [\n" > /etc/libvirt/hooks/config/bench-broken.json
    # A week of older lines (about 100 000, 15 MB) before the real ones, as logrotate would leave it.
    python3 - "$work/old.log" <<PY
import sys, datetime
start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=7)
with open(sys.argv[1], "w") as f:
    for i in range(100_000):
        t = (start + datetime.timedelta(seconds=5 * i)).isoformat(timespec="milliseconds")
        f.write(f"{t} [{1000 + i}] vm=\"bench-vm-{i % 50 + 1:02d}\" op=prepare disk=hda action=overlay image=\"/var/lib/libvirt/images/bench-vm-{i % 50 + 1:02d}.qcow2\" base-format=qcow2 ms=7\n")
PY
    cat "$work/old.log" /var/log/libvirt/qemu/hooks.log > "$work/hooks.log"
    cat "$work/hooks.log" > /var/log/libvirt/qemu/hooks.log
    echo "$VMS managed VMs ($RUNNING running on overlays, 1 held), hooks.log $(du -h /var/log/libvirt/qemu/hooks.log | cut -f1), $(nproc) cores"
    { "$work/libvirt-hook" check || true; } | head -1
    "$work/libvirt-hook" metrics | grep -c "^libvirt_hook" | sed "s/^/metrics: /; s/$/ samples/"
    python3 bench/admin_monitoring.py "$work/libvirt-hook" "$RUNS" $baseline
'
