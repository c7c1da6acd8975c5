#!/usr/bin/env bash
# A two-minute tour on a throwaway VM beside a private libvirtd (its own mount and pid
# namespace, tmpfs over every libvirt directory): the host's libvirt is never seen or touched,
# and everything is removed at the end. Shows real log lines and real disk contents:
#   three cold restarts that each boot from the base, the crash-loop guard, one one-shot
#   commit, and `libvirt-hook status`.
# Needs root, libvirt, QEMU, nasm and a built binary (./test.sh or install.sh builds it).
#
#   sudo demo/run.sh                                  on the host's libvirt
#   sudo LIBVIRT_HOOK_E2E_ROOT=DIR demo/run.sh        on the libvirt of a root from scripts/debian-root.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/private-libvirtd.sh
export HOOK_BINARY="${LIBVIRT_HOOK_BINARY:-$PWD/artifacts/hook/libvirt-hook}"
# On a fresh machine: the Debian packages it needs (named as they are installed), and a build.
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    source scripts/debian-packages.sh
    ensure_debian_packages libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils nasm
fi
if [ ! -x "$HOOK_BINARY" ] && [ -z "${LIBVIRT_HOOK_BINARY:-}" ] && command -v dotnet >/dev/null; then
    echo "demo: building the hook first (dotnet publish, about 30 s)"
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        ensure_debian_packages gcc zlib1g-dev   # the NativeAOT compiler links with them
    fi
    dotnet publish src/LibvirtHook/LibvirtHook.csproj -c Release -r linux-x64 -o artifacts/hook -nologo -v quiet
fi
[ -x "$HOOK_BINARY" ] || { echo "demo: no binary at $HOOK_BINARY; build it: dotnet publish src/LibvirtHook -c Release -r linux-x64 -o artifacts/hook" >&2; exit 1; }
export work
work=$(mktemp -d /tmp/libvirt-hook-demo-XXXXXX); chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" && cp "$HOOK_BINARY" "$work/bin/libvirt-hook"
HOOK_BINARY="$work/bin/libvirt-hook"
tiny_guest_disk END_RESET "$work/kiosk.qcow2"
private_libvirt_run "${LIBVIRT_HOOK_E2E_ROOT:-}" "$work" bash -c '
    set -euo pipefail
    source scripts/private-libvirtd.sh
    trap private_libvirtd_stop EXIT
    private_libvirtd_start
    echo "A private $(private_libvirtd_version)"
    admin() { echo "\$ libvirt-hook $*"; "$work/bin/libvirt-hook" "$@"; }
    virsh_() { echo "\$ virsh $*"; virsh -q -c qemu:///system "$@"; }
    step() { printf "\n=== %s\n" "$*"; }
    counter() { qemu-img dd -U -O raw bs=512 count=2 if="$1" of="$work/dd" 2>/dev/null; od -An -tu4 -j512 -N4 "$work/dd" | tr -d " "; }
    wait_for() { local i; for i in $(seq 600); do eval "$1" && return 0; sleep 0.1; done; echo "demo: gave up waiting for: $2" >&2; exit 1; }
    fail() { echo "demo: FAILED: $*" >&2; exit 1; }
    log=/var/log/libvirt/qemu/hooks.log
    disk="$work/kiosk.qcow2"

    step "A kiosk VM whose guest reboots at once (on_reboot=destroy), with a stateless disk and restarts"
    tiny_guest_xml demo-kiosk "$disk" "$work/serial.log" > "$work/kiosk.xml"
    virsh_ define "$work/kiosk.xml"
    cat > /etc/libvirt/hooks/config/demo-kiosk.json <<JSON
{"disks": [{"target": "hda", "one-shot-commit": false}],
 "restart": {"on": ["shutdown", "crashed"], "max-restarts": 3, "window-seconds": 600}}
JSON
    echo "/etc/libvirt/hooks/config/demo-kiosk.json:"; cat /etc/libvirt/hooks/config/demo-kiosk.json
    echo "The guest counts its boots in sector 1 of its disk; the base says: $(counter "$disk")"
    admin validate demo-kiosk

    step "Start it once by hand; the hook restarts it 3 times, then the crash-loop guard gives up"
    virsh_ start demo-kiosk
    wait_for "grep -q \"crash-loop guard\" $log" "the crash-loop guard"
    wait_for "[ \"\$(virsh -q -c qemu:///system domstate demo-kiosk)\" = \"shut off\" ]" "the VM to stay off"
    echo "What each boot of the guest saw on its disk (serial console):"
    grep "^boot" "$work/serial.log" | sed "s/^/  /"
    [ "$(grep -c "^boot" "$work/serial.log")" -eq 4 ] || fail "expected 4 boots"
    grep "^boot" "$work/serial.log" | grep -qv "seen=00000000" && fail "a boot did not start from the base"
    echo "hooks.log:"
    grep -E "op=(prepare|release|restart) outcome" $log | sed "s/^/  /"
    echo "The base still says: $(counter "$disk")"
    [ "$(counter "$disk")" = 0 ] || fail "the base changed"

    step "Keep one session: commit-once, hold (no restart this time), start"
    admin commit-once demo-kiosk
    admin hold demo-kiosk
    virsh_ start demo-kiosk
    wait_for "grep -q \"action=committed\" $log" "the commit"
    wait_for "[ \"\$(grep -c \"op=release outcome\" $log)\" -ge 5 ]" "the release"
    grep -E "action=committed|restart=no" $log | tail -2 | sed "s/^/  /"
    echo "The base now says: $(counter "$disk") (that session wrote 1); the flag is back to false:"
    grep -o "\"one-shot-commit\": *[a-z]*" /etc/libvirt/hooks/config/demo-kiosk.json | sed "s/^/  /"
    [ "$(counter "$disk")" = 1 ] || fail "the commit did not reach the base"

    step "Status"
    admin status
    admin unhold demo-kiosk
    admin status demo-kiosk --json

    step "Done: the private libvirtd, the VM and its files are removed now"
'
