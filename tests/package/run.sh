#!/usr/bin/env bash
# The package specs: the .deb installed with apt into throwaway Debian 12 and 13 roots, used there by a
# real libvirtd, upgraded under a running VM, removed and purged; lintian on the .deb. Ends with
# "N passed, N failed".
#
#   sudo tests/package/run.sh [DEB]      (default: dist/libvirt-hook_<VERSION>_amd64.deb)
#
# Each root (Debian 12: libvirt 9.0, Debian 13: libvirt 11.3; LIBVIRT_HOOK_PACKAGE_SUITES="bookworm
# trixie") is an overlay (tmpfs upper) over the one scripts/debian-root.sh builds, which is never
# written; package scripts and daemons see a private /dev; everything runs in a private mount and
# pid namespace after pivot_root, so the host's libvirt and dpkg state are never touched.
# LIBVIRT_HOOK_PREVIOUS_DEB: the release to upgrade from (default: this build labelled 0.0.0~previous).
# Wrap the run in `flock /tmp/libvirt-e2e.lock`: it starts a libvirtd.
set -euo pipefail
cd "$(dirname "$0")/../.."

cannot_run() { echo "THE PACKAGE SPECS CANNOT RUN: $*" >&2; echo "0 passed, 1 failed"; exit 1; }
passed=0 failed=0
check() {
    local what="$1"; shift
    if "$@" >/dev/null 2>&1; then passed=$((passed + 1)); echo "PASS $what"
    else failed=$((failed + 1)); echo "FAIL $what"; fi
}

case "${1:-}" in
--namespace) # PID 1 of a new mount + pid namespace: build the root, pivot into it, run the checks.
    scratch="$2" lower="$3"
    mount -t tmpfs -o mode=0755 tmpfs "$scratch/layers"
    mkdir "$scratch/layers/upper" "$scratch/layers/work" "$scratch/layers/root"
    new="$scratch/layers/root"
    mount -t overlay overlay -o "lowerdir=$lower,upperdir=$scratch/layers/upper,workdir=$scratch/layers/work" "$new"
    source scripts/root-mounts.sh
    mount_private_dev_proc_sys "$new"
    mkdir -p "$new/spec"
    mount --bind "$scratch/spec" "$new/spec"
    cd "$new"
    mkdir .old-root
    pivot_root . .old-root
    cd /
    umount -l /.old-root
    rmdir /.old-root
    exec bash /spec/run.sh --checks
    ;;
--checks) ;; # below, inside the root
*) # On the host: prepare what the root needs, then enter the namespace.
    [ "$(id -u)" -eq 0 ] || cannot_run "it must run as root (mount and pid namespaces, pivot_root)"
    for tool in unshare nasm qemu-img dpkg-deb; do
        command -v "$tool" >/dev/null || cannot_run "\"$tool\" is not installed"
    done
    version="$(tr -d '[:space:]' < VERSION)"
    deb="${1:-dist/libvirt-hook_${version}_amd64.deb}"
    [ -f "$deb" ] || cannot_run "no package at $deb: build it with ./package.sh"

    scratch="$(mktemp -d /var/tmp/libvirt-hook-package-XXXXXX)"
    trap 'rm -rf "$scratch"' EXIT
    mkdir "$scratch/layers" "$scratch/spec"
    cp "$deb" "$scratch/spec/current.deb"
    if [ -n "${LIBVIRT_HOOK_PREVIOUS_DEB:-}" ]; then
        cp "$LIBVIRT_HOOK_PREVIOUS_DEB" "$scratch/spec/previous.deb"
    else
        binary="$scratch/libvirt-hook"
        dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/libexec/libvirt-hook/libvirt-hook > "$binary"
        chmod 0755 "$binary"
        ./package.sh --binary "$binary" --version 0.0.0~previous --dist "$scratch/previous" >/dev/null
        mv "$scratch/previous/libvirt-hook_0.0.0~previous_amd64.deb" "$scratch/spec/previous.deb"
    fi
    # The guests are built here: nasm is not in the root.
    source scripts/private-libvirtd.sh
    tiny_guest_disk END_HALT "$scratch/spec/halt.qcow2"
    tiny_guest_disk END_POWEROFF "$scratch/spec/poweroff.qcow2"
    cp tests/package/run.sh "$scratch/spec/run.sh"
    # install.sh as a source checkout has it, for the take-over from an install.sh install.
    mkdir -p "$scratch/spec/checkout/packaging"
    cp install.sh "$scratch/spec/checkout/"
    cp packaging/logrotate "$scratch/spec/checkout/packaging/"
    if [ -d contrib ]; then cp -r contrib "$scratch/spec/checkout/"; fi
    dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/libexec/libvirt-hook/libvirt-hook > "$scratch/spec/checkout/libvirt-hook.bin"
    chmod 0755 "$scratch/spec/checkout/libvirt-hook.bin"
    declare -f tiny_guest_xml > "$scratch/spec/guest.sh"
    host_hooks_before="$(ls -la --time-style=full-iso /etc/libvirt/hooks 2>&1 || true)"
    host_dpkg_before="$(dpkg-query -W -f '${db:Status-Abbrev}' libvirt-hook 2>&1 || true)"

    echo "== lintian $(dpkg-deb -f "$deb" Version)"
    lintian_rc=0
    lintian_out="$(lintian --fail-on error,warning "$deb" 2>&1)" || lintian_rc=$?
    { grep -v 'running with root privileges' <<<"$lintian_out" || true; } | sed 's/^/   /'
    check "lintian finds no error and no warning" [ "$lintian_rc" -eq 0 ]

    for suite in ${LIBVIRT_HOOK_PACKAGE_SUITES:-bookworm trixie}; do
        lower="$(scripts/debian-root.sh "$suite")" || cannot_run "scripts/debian-root.sh could not build the Debian $suite root"
        status_before="$(stat -c %Y:%s "$lower/var/lib/dpkg/status")"
        rm -f "$scratch/spec/counts"
        start=$SECONDS
        unshare --mount --propagation private --pid --fork --mount-proc --kill-child -- \
            bash tests/package/run.sh --namespace "$scratch" "$lower" || true
        echo "== the specs in the $suite root took $((SECONDS - start)) s"
        read -r inside_passed inside_failed < "$scratch/spec/counts" 2>/dev/null || { inside_passed=0; inside_failed=1; echo "FAIL the checks in the $suite root did not finish"; }
        passed=$((passed + inside_passed)) failed=$((failed + inside_failed))
        check "the $suite root underneath was not written" [ "$(stat -c %Y:%s "$lower/var/lib/dpkg/status")" = "$status_before" ]
    done
    check "the host's dpkg state for libvirt-hook is as it was" [ "$(dpkg-query -W -f '${db:Status-Abbrev}' libvirt-hook 2>&1 || true)" = "$host_dpkg_before" ]
    check "the host's /etc/libvirt/hooks is as it was" [ "$(ls -la --time-style=full-iso /etc/libvirt/hooks 2>&1 || true)" = "$host_hooks_before" ]
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
    exit $?
    ;;
esac

# ---- Inside the throwaway root, as root, with a private libvirtd. ----
set +e -uo pipefail
export DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin
source /spec/guest.sh
passed=0 failed=0
hooks=/etc/libvirt/hooks
binary=/usr/libexec/libvirt-hook/libvirt-hook
state=/var/lib/libvirt/libvirt-hook
log=/var/log/libvirt/qemu/hooks.log
images=/var/lib/libvirt/images

check() {
    local what="$1"; shift
    if "$@" >/dev/null 2>&1; then passed=$((passed + 1)); echo "PASS $what"
    else failed=$((failed + 1)); echo "FAIL $what"; fi
}
finish() {
    echo "$passed $failed" > /spec/counts
    exit 0
}
abort() { echo "FAIL $*"; failed=$((failed + 1)); finish; }
contains() { grep -qF -- "$2" <<<"$1"; }
ours() { [ -L "$1" ] && [ "$(readlink "$1")" = "$binary" ]; }
virsh_() { virsh -q -c qemu:///system "$@"; }
# The boot counter a stopped VM's disk holds (QEMU caches what a running VM wrote).
counter() { qemu-img dd -U -O raw bs=512 count=2 if="$1" of=/tmp/counter.dd 2>/dev/null && od -An -tu4 -j512 -N4 /tmp/counter.dd | tr -d ' '; }
backing() { qemu-img info -U --output=json "$1" | grep -o '"full-backing-filename": *"[^"]*"' | sed 's/.*: *"//; s/"$//'; }
wait_for() { local i; for i in $(seq 600); do eval "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
# Every dependency is in the root already: nothing is downloaded. (--no-download would make apt
# refuse a local .deb: "Pathname to install is not absolute".)
apt_() {
    local start=$SECONDS rc=0 out
    out="$(apt-get -y -q -o Dpkg::Use-Pty=0 "$@" 2>&1)" || rc=$?
    echo "   apt-get $* took $((SECONDS - start)) s, exit $rc" >&2
    [ "$rc" -eq 0 ] || sed 's/^/   | /' <<<"$out" >&2
    printf '%s\n' "$out"
    return "$rc"
}

start_libvirtd() {
    mkdir -p /run/libvirt /var/log/libvirt/qemu
    [ -f /run/libvirt/virtlogd.pid ] || virtlogd -d -p /run/libvirt/virtlogd.pid
    libvirtd -d -p /run/libvirt/libvirtd.pid
    wait_for "virsh_ list"
}
stop_libvirtd() {
    local pid; pid="$(cat /run/libvirt/libvirtd.pid)"
    kill "$pid"; wait_for "! [ -d /proc/$pid ]"; rm -f /run/libvirt/libvirtd.pid
}
define_vm() { # NAME GUEST: a TCG domain on a fresh copy of the guest disk
    cp "/spec/$2.qcow2" "$images/$1.qcow2"
    tiny_guest_xml "$1" "$images/$1.qcow2" "/tmp/$1.serial" > "/tmp/$1.xml"
    virsh_ define "/tmp/$1.xml"
}
managed() { # NAME JSON
    printf '%s\n' "$2" > "$hooks/config/$1.json"
    chmod 0644 "$hooks/config/$1.json"
}

echo "== Debian $(cat /etc/debian_version), libvirt $(dpkg-query -W -f '${Version}' libvirt-daemon)"
mkdir -p "$images"
previous_version="$(dpkg-deb -f /spec/previous.deb Version)"
current_version="$(dpkg-deb -f /spec/current.deb Version)"

echo "== apt install of the previous release ($previous_version) on a root without any hook"
out="$(apt_ install /spec/previous.deb)"; rc=$?
echo "$out" | grep '^libvirt-hook:' | sed 's/^/   /'
check "apt install succeeds" [ "$rc" -eq 0 ]
check "the hook /etc/libvirt/hooks/qemu is a symlink to the packaged binary" ours "$hooks/qemu"
check "postinst says the hook is new and libvirtd must be restarted" contains "$out" "the hook is new: libvirtd looks for hooks only when it starts"
check "the admin command is on PATH as /usr/sbin/libvirt-hook" [ "$(command -v libvirt-hook)" = /usr/sbin/libvirt-hook ]
check "the admin command answers --version" [ -n "$(libvirt-hook --version)" ]
check "/etc/libvirt/hooks/config is a root-owned 0755 directory" [ "$(stat -c '%U:%G %a' "$hooks/config")" = "root:root 755" ]
check "the state directory exists" [ -d "$state" ]
check "the logrotate rule is a conffile" contains "$(dpkg-query -W -f '${Conffiles}' libvirt-hook)" /etc/logrotate.d/libvirt-hook
check "logrotate accepts the rule" logrotate -d /etc/logrotate.d/libvirt-hook
check "the metrics and refresh units are in /usr/lib/systemd/system, calling /usr/sbin/libvirt-hook, none enabled" \
    bash -c 'cd /usr/lib/systemd/system && ls libvirt-hook-metrics.service libvirt-hook-metrics.timer libvirt-hook-refresh@.service libvirt-hook-refresh@.timer && grep -q "^ExecStart=/usr/sbin/libvirt-hook refresh --timeout 120s -- \"%I\"$" libvirt-hook-refresh@.service && ! ls /etc/systemd/system/timers.target.wants/libvirt-hook-*'
man_documents_every_command() {
    local commands command page
    commands="$(libvirt-hook --help | sed -n '/^Commands:/,$p' | awk '/^  [a-z]/ { print $1 }')"
    page="$(zcat /usr/share/man/man8/libvirt-hook.8.gz)"
    [ -n "$commands" ] || return 1
    for command in $commands; do
        grep -qF ".SS \"libvirt\\-hook ${command//-/\\-} " <<<"$page" || { echo "man page lacks $command" >&2; return 1; }
    done
}
check "the man page libvirt-hook(8) documents every command the installed binary's help lists" man_documents_every_command
check "dpkg --verify finds every file as shipped" [ -z "$(dpkg --verify libvirt-hook)" ]

echo "== the installed hook on a private libvirtd ($(libvirtd --version))"
start_libvirtd || abort "libvirtd did not start in the root"
define_vm kiosk halt
managed kiosk '{"disks": [{"target": "hda"}]}'
check "a stateless VM starts through the symlinked hook" virsh_ start kiosk
check "its image is now an overlay over <image>.stateless-base" [ "$(backing "$images/kiosk.qcow2")" = "$images/kiosk.qcow2.stateless-base" ]
check "the hook logged the prepare" grep -q 'vm="kiosk" op=prepare outcome=ok' "$log"
check "the guest booted and saw the base's counter (0)" wait_for 'grep -q "^boot drive=80 seen=00000000" /tmp/kiosk.serial'

echo "== upgrade to $current_version while the VM runs on its overlay"
out="$(apt_ install /spec/current.deb)"; rc=$?
echo "$out" | grep '^libvirt-hook:' | sed 's/^/   /'
check "apt install of the new version succeeds" [ "$rc" -eq 0 ]
check "the package is now $current_version" [ "$(dpkg-query -W -f '${Version}' libvirt-hook)" = "$current_version" ]
check "the hook symlink is still there and still ours" ours "$hooks/qemu"
check "postinst says no restart is needed" contains "$out" "no restart needed"
check "the VM kept running" [ "$(virsh_ domstate kiosk)" = running ]
virsh_ destroy kiosk >/dev/null
check "at its stop the new version reverted the overlay left by the old one" [ -z "$(backing "$images/kiosk.qcow2")" ]
check "the base is as it was (the guest's write is gone)" [ "$(counter "$images/kiosk.qcow2")" = 0 ]
check "no stateless-base and no journal are left" bash -c "! ls $images/kiosk.qcow2.stateless-base $state/kiosk.journal.json"

echo "== cold restarts with the installed hook"
define_vm looper poweroff
managed looper '{"disks": [{"target": "hda"}], "restart": {"on": ["shutdown"], "max-restarts": 2, "window-seconds": 600}}'
virsh_ start looper >/dev/null
check "the crash-loop guard gives up after 2 restarts" wait_for "grep -q 'vm=\"looper\" op=restart outcome=gave-up\|vm=\"looper\".*crash-loop guard' $log"
check "the hook restarted the VM twice" [ "$(grep -c 'vm="looper" op=restart outcome=started' "$log")" -eq 2 ]
check "each of the 3 boots started from the base" bash -c '[ "$(grep -c "^boot drive=80 seen=00000000" /tmp/looper.serial)" -eq 3 ] && ! grep "^boot" /tmp/looper.serial | grep -qv "seen=00000000"'
wait_for '[ "$(virsh_ domstate looper)" = "shut off" ]'

echo "== apt remove while a VM runs on an overlay (libvirtd keeps running)"
virsh_ start kiosk >/dev/null
out="$(apt_ remove libvirt-hook)"; rc=$?
echo "$out" | grep '^libvirt-hook:' | sed 's/^/   /'
check "apt remove succeeds" [ "$rc" -eq 0 ]
check "prerm warns that a VM still runs on an overlay" contains "$out" "a VM still runs on a stateless overlay"
check "the hook symlink is gone" bash -c "! [ -e $hooks/qemu ] && ! [ -L $hooks/qemu ]"
check "the binary and the admin command are gone" bash -c "! [ -e $binary ] && ! [ -L /usr/sbin/libvirt-hook ]"
check "the VM configs stay" [ -f "$hooks/config/kiosk.json" ]
check "the logrotate conffile stays" [ -f /etc/logrotate.d/libvirt-hook ]
check "the state directory stays" [ -d "$state" ]
check "the log stays" [ -s "$log" ]
check "dpkg lists the package as removed, configs kept (rc)" [ "$(dpkg-query -W -f '${db:Status-Abbrev}' libvirt-hook | tr -d ' ')" = rc ]
check "without a libvirtd restart, the VM still stops after the removal" virsh_ destroy kiosk
check "the VM's image is intact: the overlay over its untouched base" [ "$(counter "$images/kiosk.qcow2.stateless-base")" = 0 ]
define_vm plain halt >/dev/null
check "without a libvirtd restart, a VM still starts after the removal (libvirt skips the missing hook)" virsh_ start plain
virsh_ destroy plain >/dev/null 2>&1

echo "== apt purge while that VM's journal still says it is on an overlay"
out="$(apt_ purge libvirt-hook)"; rc=$?
echo "$out" | grep '^libvirt-hook:' | sed 's/^/   /'
check "apt purge succeeds" [ "$rc" -eq 0 ]
check "the logrotate conffile is gone" bash -c '! [ -e /etc/logrotate.d/libvirt-hook ]'
check "the log is gone" bash -c "! ls $log*"
check "the journal of the VM on an overlay is kept, and purge says why" bash -c "[ -f $state/kiosk.journal.json ] && grep -q 'kept $state' <<<\"\$0\"" "$out"
check "the VM's image and its base are still there" [ -f "$images/kiosk.qcow2" -a -f "$images/kiosk.qcow2.stateless-base" ]
check "the admin's VM configs are kept" [ -f "$hooks/config/kiosk.json" ]
check "dpkg no longer knows the package" bash -c '! dpkg-query -W -f "\${db:Status-Abbrev}" libvirt-hook | grep -q "^[a-z]i"'

echo "== apt install beside a foreign hook, which is never overwritten"
printf '#!/bin/sh\necho "$*" >> /tmp/foreign.log\ncat >/dev/null\n' > "$hooks/qemu"
chmod 0755 "$hooks/qemu"
foreign="$(md5sum < "$hooks/qemu")"
out="$(apt_ install /spec/current.deb)"; rc=$?
echo "$out" | grep '^libvirt-hook:' | sed 's/^/   /'
check "apt install succeeds" [ "$rc" -eq 0 ]
check "the foreign hook is untouched" [ "$(md5sum < "$hooks/qemu")" = "$foreign" ]
check "the hook goes to qemu.d/libvirt-hook, and postinst says so" bash -c "[ -L $hooks/qemu.d/libvirt-hook ] && grep -q 'a different hook is already installed' <<<\"\$0\"" "$out"
check "postinst says libvirtd must be restarted" contains "$out" "the hook is new"
stop_libvirtd && start_libvirtd
check "after the restart the VM the old version left on an overlay starts" virsh_ start kiosk
check "libvirtd ran the foreign hook" grep -q '^kiosk prepare begin -' /tmp/foreign.log
check "the packaged hook ran from qemu.d: the VM runs on a fresh overlay" [ "$(backing "$images/kiosk.qcow2")" = "$images/kiosk.qcow2.stateless-base" ]
check "and it logged the prepare" grep -q 'vm="kiosk" op=prepare outcome=ok' "$log"
check "the VM booted from the base" wait_for "grep -c 'seen=00000000' /tmp/kiosk.serial | grep -qx 3"
virsh_ destroy kiosk >/dev/null
check "its stop reverted it" [ -z "$(backing "$images/kiosk.qcow2")" ]

echo "== apt purge with no VM on an overlay"
out="$(apt_ purge libvirt-hook)"; rc=$?
check "apt purge succeeds" [ "$rc" -eq 0 ]
check "qemu.d/libvirt-hook is gone, the foreign hook stays" bash -c "! [ -L $hooks/qemu.d/libvirt-hook ] && [ \"\$(md5sum < $hooks/qemu)\" = '$foreign' ]"
check "the state directory is gone" bash -c "! [ -e $state ]"
check "the VM's image is still there, reverted" [ "$(counter "$images/kiosk.qcow2")" = 0 ]

echo "== apt install over an install.sh install (beside the foreign hook): the package takes it over"
/spec/checkout/install.sh --binary /spec/checkout/libvirt-hook.bin >/dev/null
check "install.sh put its hook in qemu.d and its admin command in /usr/local/sbin" [ -f "$hooks/qemu.d/libvirt-hook" -a -f /usr/local/sbin/libvirt-hook ]
out="$(apt_ install /spec/current.deb)"; rc=$?
echo "$out" | grep '^libvirt-hook:' | sed 's/^/   /'
check "apt install succeeds (the logrotate rule install.sh wrote is the conffile's twin)" [ "$rc" -eq 0 ]
check "qemu.d/libvirt-hook is now the package's link" ours "$hooks/qemu.d/libvirt-hook"
check "postinst says no restart is needed" contains "$out" "no restart needed"
check "install.sh's /usr/local/sbin/libvirt-hook and its manifest are gone" bash -c "! [ -e /usr/local/sbin/libvirt-hook ] && ! [ -e $hooks/.libvirt-hook-installed ]"
check "install.sh's systemd units are gone: the package's own take their place" \
    bash -c '! ls /etc/systemd/system/libvirt-hook-* && for unit in /usr/lib/systemd/system/libvirt-hook-*; do grep -q "^ExecStart=/usr/sbin/libvirt-hook " "$unit" || [ "${unit##*.}" = timer ] || exit 1; done'
check "the foreign hook is still untouched" [ "$(md5sum < "$hooks/qemu")" = "$foreign" ]
check "dpkg --verify finds every file as shipped" [ -z "$(dpkg --verify libvirt-hook)" ]

finish
