# The inside of bench/restart-gap.sh: runs in its namespace, on one libvirt, with the repository
# as working directory. ROUNDS rounds of a floor phase then a hook phase, PER_PHASE cycles each,
# on the same VM, so that the machine's drift (other work, a 2-core VM) hits both alike.
#
#   bash bench/restart_gap_inside.sh DIR   (DIR: domain.xml in, events, hooks.json and version out;
#                                           ROUNDS, PER_PHASE and HOOK_BINARY from the environment)
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
