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
# LIBVIRT_HOOK_PREVIOUS_DEB: the release to upgrade from (default: the package of the commit in
# tests/package/previous-ref, 0.1.0's layout, built once by build-previous.sh and cached).
# AppArmor: the paths libvirtd would execute (hook, admin command, the workers' exec path, each tool
# the hook runs), resolved in the root after apt install and after the tarball's install.sh, are
# checked with aa_exec.py against the root's own libvirtd profile (and virtqemud's where shipped),
# expanded by the host's apparmor_parser -p; virt-aa-helper --dryrun shows QEMU's profile for a
# stateless disk. The tarball (beside DEB) is what install.sh runs from.
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
--namespace) # PID 1 of a new mount + pid namespace: build the root, pivot into it, run the checks
    # (those of /spec/SCRIPT, the 4th argument: run.sh's own, or tests/package/ansible.sh's).
    scratch="$2" lower="$3"
    source scripts/root-mounts.sh
    enter_root --bind "$scratch/spec" /spec "$lower" "$scratch/layers"
    exec bash "/spec/${4:-run.sh}" --checks
    ;;
--checks) ;; # below, inside the root
*) # On the host: prepare what the root needs, then enter the namespace.
    [ "$(id -u)" -eq 0 ] || cannot_run "it must run as root (mount and pid namespaces, pivot_root)"
    for tool in unshare nasm qemu-img dpkg-deb apparmor_parser python3; do
        command -v "$tool" >/dev/null || cannot_run "\"$tool\" is not installed"
    done
    version="$(tr -d '[:space:]' < VERSION)"
    deb="${1:-dist/libvirt-hook_${version}_amd64.deb}"
    [ -f "$deb" ] || cannot_run "no package at $deb: build it with ./package.sh"
    tarball="$(dirname "$deb")/libvirt-hook-$(dpkg-deb -f "$deb" Version)-linux-x64.tar.gz"
    [ -f "$tarball" ] || cannot_run "no tarball at $tarball: ./package.sh builds it beside the package"
    echo "== the AppArmor exec matcher's own unit tests"
    check "aa_exec.py's unit tests pass" python3 -m unittest discover -s tests/package -p 'test_aa_exec.py'

    scratch="$(mktemp -d /var/tmp/libvirt-hook-package-XXXXXX)"
    trap 'rm -rf "$scratch"' EXIT
    mkdir "$scratch/layers" "$scratch/spec"
    cp "$deb" "$scratch/spec/current.deb"
    if [ -n "${LIBVIRT_HOOK_PREVIOUS_DEB:-}" ]; then
        cp "$LIBVIRT_HOOK_PREVIOUS_DEB" "$scratch/spec/previous.deb"
    else
        ref="$(tr -d '[:space:]' < tests/package/previous-ref)"
        cached="/var/cache/libvirt-hook-tests/previous-$ref.deb"
        if [ ! -f "$cached" ]; then
            mkdir -p "$(dirname "$cached")"
            tests/package/build-previous.sh "$ref" "$cached.new" >&2 && mv "$cached.new" "$cached" \
                || cannot_run "tests/package/build-previous.sh could not build the package of $ref to upgrade from"
        fi
        cp "$cached" "$scratch/spec/previous.deb"
    fi
    # The guests are built here: nasm is not in the root.
    source scripts/private-libvirtd.sh
    tiny_guest_disk END_HALT "$scratch/spec/halt.qcow2"
    tiny_guest_disk END_POWEROFF "$scratch/spec/poweroff.qcow2"
    cp tests/package/run.sh "$scratch/spec/run.sh"
    # The release tarball, for its install.sh and the take-over from an install.sh install.
    mkdir "$scratch/spec/tarball"
    tar -xzf "$tarball" -C "$scratch/spec/tarball"
    declare -f tiny_guest_xml > "$scratch/spec/guest.sh"
    host_hooks_before="$(ls -la --time-style=full-iso /etc/libvirt/hooks 2>&1 || true)"
    host_dpkg_before="$(dpkg-query -W -f '${db:Status-Abbrev}' libvirt-hook 2>&1 || true)"

    # apparmor_package SUITE ROOT: the root's own release of Debian's apparmor package (tunables and
    # abstractions, which libvirt's profiles include), unpacked once into the cache: fetched by
    # apt-get download with the root's sources and lists, nothing written into the root.
    apparmor_package() {
        local dir="/var/cache/libvirt-hook-tests/apparmor-$1"
        if [ ! -d "$dir/etc/apparmor.d/tunables" ]; then
            rm -rf "$dir.new" && mkdir -p "$dir.new"
            (cd "$dir.new" && apt-get -q -o Dir="$2" -o Dir::State::status="$2/var/lib/dpkg/status" -o Dir::Cache::pkgcache= \
                -o Dir::Cache::srcpkgcache= -o Debug::NoLocking=1 -o APT::Sandbox::User=root download apparmor) >&2 || return 1
            dpkg-deb -x "$dir.new"/apparmor_*.deb "$dir.new" && rm -rf "$dir" && mv "$dir.new" "$dir" || return 1
        fi
        echo "$dir"
    }

    # apparmor_checks SUITE ROOT: the exec paths the checks inside recorded, against ROOT's profiles.
    apparmor_checks() {
        local suite="$1" root="$2" daemon profile stage label path verdict found=0 apparmor
        echo "== AppArmor: the $suite root's own profiles decide the execs libvirtd and the hook make"
        apparmor="$(apparmor_package "$suite" "$root")" || { check "apt-get download fetched the $suite root's apparmor package" false; return 0; }
        echo "   includes from the root and from its $(basename "$apparmor"/apparmor_*.deb)"
        for daemon in libvirtd virtqemud; do
            [ -f "$root/etc/apparmor.d/usr.sbin.$daemon" ] || { echo "   (the $suite root ships no profile for $daemon)"; continue; }
            found=$((found + 1))
            profile="$scratch/aa-$suite-$daemon.profile"
            check "apparmor_parser -p expands the $suite root's $daemon profile with that root's includes" \
                bash -c "apparmor_parser -p --base '$root/etc/apparmor.d' -I '$root/etc/apparmor.d' -I '$apparmor/etc/apparmor.d' '$root/etc/apparmor.d/usr.sbin.$daemon' > '$profile'"
            check "in the $suite root, $daemon's profile refuses to exec 0.1.0's /usr/libexec/libvirt-hook/libvirt-hook (the checker can fail)" \
                bash -c "! python3 tests/package/aa_exec.py '$profile' $daemon /usr/libexec/libvirt-hook/libvirt-hook"
            for stage in previous package tarball; do
                [ -f "$scratch/spec/exec-$stage.tsv" ] || { [ "$stage" = previous ] || check "the checks in the root recorded the exec paths after the $stage install" false; continue; }
                while IFS=$'\t' read -r label path; do
                    verdict="$(python3 tests/package/aa_exec.py "$profile" "$daemon" "$path" 2>&1)" || true
                    if [ "$stage" = previous ]; then
                        # The release upgraded from: shown, not checked (0.1.0 fails here, which is why this exists).
                        echo "   previous release: $label: $verdict"
                    else
                        echo "   $verdict"
                        check "$suite, after the $stage install, $daemon's profile lets it exec $label ($path)" \
                            python3 tests/package/aa_exec.py "$profile" "$daemon" "$path"
                    fi
                done < "$scratch/spec/exec-$stage.tsv"
            done
        done
        check "the $suite root ships libvirtd's AppArmor profile" [ "$found" -gt 0 ]
    }

    echo "== lintian $(dpkg-deb -f "$deb" Version)"
    lintian_rc=0
    lintian_out="$(lintian --fail-on error,warning "$deb" 2>&1)" || lintian_rc=$?
    { grep -v 'running with root privileges' <<<"$lintian_out" || true; } | sed 's/^/   /'
    check "lintian finds no error and no warning" [ "$lintian_rc" -eq 0 ]

    for suite in ${LIBVIRT_HOOK_PACKAGE_SUITES:-bookworm trixie}; do
        lower="$(scripts/debian-root.sh "$suite")" || cannot_run "scripts/debian-root.sh could not build the Debian $suite root"
        status_before="$(stat -c %Y:%s "$lower/var/lib/dpkg/status")"
        rm -f "$scratch/spec/counts" "$scratch/spec"/exec-*.tsv "$scratch/spec/virt-aa-helper.out"
        start=$SECONDS
        unshare --mount --propagation private --pid --fork --mount-proc --kill-child -- \
            bash tests/package/run.sh --namespace "$scratch" "$lower" || true
        echo "== the specs in the $suite root took $((SECONDS - start)) s"
        read -r inside_passed inside_failed < "$scratch/spec/counts" 2>/dev/null || { inside_passed=0; inside_failed=1; echo "FAIL the checks in the $suite root did not finish"; }
        passed=$((passed + inside_passed)) failed=$((failed + inside_failed))
        check "the $suite root underneath was not written" [ "$(stat -c %Y:%s "$lower/var/lib/dpkg/status")" = "$status_before" ]
        apparmor_checks "$suite" "$lower"
    done
    # The Ansible role (contrib/ansible) on the same roots: its own script, its counts added here.
    ansible_start=$SECONDS
    tests/package/ansible.sh "$deb" 2>&1 | tee "$scratch/ansible.out" | sed -E 's/^([0-9]+ passed, [0-9]+ failed)$/== the Ansible specs: \1/' || true
    echo "== the Ansible specs took $((SECONDS - ansible_start)) s"
    ansible_counts="$(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$scratch/ansible.out" | tail -n 1)"
    [ -n "$ansible_counts" ] || { ansible_counts="0 1"; echo "FAIL the Ansible specs reported no result"; }
    passed=$((passed + ${ansible_counts% *})) failed=$((failed + ${ansible_counts#* }))
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
binary=/usr/sbin/libvirt-hook
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
# The package's link, to its binary wherever that release put it (0.1.0: /usr/libexec/libvirt-hook).
ours() { [ -L "$1" ] && [ "$(readlink -f "$1")" = "$(readlink -f "$binary")" ]; }
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

# exec_paths STAGE HOOK ADMIN: what AppArmor would see (symlinks resolved) for each exec: libvirtd
# running the hook, the admin command, the hook starting its workers (it execs its own
# /proc/self/exe, read here from a running hook), and each tool the hook runs, found on the PATH
# systemd gives libvirtd. The host checks them against the root's profiles.
exec_paths() {
    local out="/spec/exec-$1.tsv" hook="$2" admin="$3" pid exe tool path
    rm -f /tmp/probe.in && mkfifo /tmp/probe.in
    # An unmanaged VM's call: the hook waits for the XML on stdin, then drains it and exits.
    "$hook" exec-path-probe prepare begin - < /tmp/probe.in &
    pid=$!
    exec 7> /tmp/probe.in
    wait_for "[ \"\$(readlink /proc/$pid/exe)\" != \"$(readlink /proc/$$/exe)\" ]"
    exe="$(readlink /proc/$pid/exe)"
    exec 7>&-
    wait "$pid"
    {
        printf 'the hook %s\t%s\n' "$hook" "$(readlink -f "$hook")"
        printf 'the admin command %s\t%s\n' "$admin" "$(readlink -f "$admin")"
        printf "the workers' exec path (the hook's /proc/self/exe)\t%s\n" "$exe"
        for tool in qemu-img virsh systemctl; do
            path="$(export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; command -v "$tool")"
            printf '%s (the hook runs it)\t%s\n' "$tool" "$(readlink -f "${path:-/nonexistent/$tool}")"
        done
    } > "$out"
    sed 's/^/   exec path: /; s/\t/ -> /' "$out"
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

# QEMU's own AppArmor profile, as libvirt's virt-aa-helper builds it from the live definition
# right after the hook's prepare (--dryrun prints it; no kernel support needed).
virt_aa_helper_checks() {
    local image="$images/kiosk.qcow2" out rc
    virsh_ dumpxml kiosk > /tmp/kiosk-live.xml
    out="$(/usr/lib/libvirt/virt-aa-helper --dryrun --create --uuid "libvirt-$(virsh_ domuuid kiosk)" < /tmp/kiosk-live.xml 2>&1)"; rc=$?
    printf '%s\n' "$out" > /spec/virt-aa-helper.out
    grep -F "$images" <<<"$out" | sed 's/^/   virt-aa-helper: /'
    check "virt-aa-helper --dryrun builds a QEMU profile from the live definition" [ "$rc" -eq 0 ]
    check "QEMU's profile lets it read and write the overlay (\"IMAGE\" rwk)" grep -qxF "  \"$image\" rwk," <<<"$out"
    check "QEMU's profile lets it only read the base (\"IMAGE.stateless-base\" rk)" grep -qxF "  \"$image.stateless-base\" rk," <<<"$out"
    check "QEMU's profile denies writes to the base (deny \"IMAGE.stateless-base\" w)" grep -qxF "  deny \"$image.stateless-base\" w," <<<"$out"
    check "QEMU's profile names no other file of the hook's (.stateless-*)" \
        bash -c '[ -z "$(grep -F .stateless- <<<"$0" | grep -vxF -e "  \"$1.stateless-base\" rk," -e "  deny \"$1.stateless-base\" w,")" ]' "$out" "$image"
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
exec_paths previous "$hooks/qemu" /usr/sbin/libvirt-hook
check "postinst says the hook is new and libvirtd must be restarted" contains "$out" "the hook is new: libvirtd looks for hooks only when it starts"
check "the admin command is on PATH as /usr/sbin/libvirt-hook" [ "$(command -v libvirt-hook)" = /usr/sbin/libvirt-hook ]
check "the admin command answers --version" [ -n "$(libvirt-hook --version)" ]
check "/etc/libvirt/hooks/config is a root-owned 0755 directory" [ "$(stat -c '%U:%G %a' "$hooks/config")" = "root:root 755" ]
check "the state directory exists" [ -d "$state" ]
check "the logrotate rule is a conffile" contains "$(dpkg-query -W -f '${Conffiles}' libvirt-hook)" /etc/logrotate.d/libvirt-hook
check "logrotate accepts the rule" logrotate -d /etc/logrotate.d/libvirt-hook
# The previous release has the metrics units only; the refresh units are checked after the upgrade.
check "the metrics units are in /usr/lib/systemd/system, none enabled" \
    bash -c 'cd /usr/lib/systemd/system && ls libvirt-hook-metrics.service libvirt-hook-metrics.timer && ! ls /etc/systemd/system/timers.target.wants/libvirt-hook-*'
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

echo "== upgrade to $current_version while the VM runs on its overlay; the VM stops between unpack and configure"
previous_link="$(readlink "$hooks/qemu")"
# What apt does, in its two steps, so that the VM can stop in between: the moment the hook link
# would dangle if it still pointed at a path the new package no longer has.
out="$(dpkg --unpack /spec/current.deb 2>&1)"; rc=$?
check "dpkg --unpack of the new version succeeds" [ "$rc" -eq 0 ]
check "the VM kept running" [ "$(virsh_ domstate kiosk)" = running ]
check "between unpack and configure, the hook link resolves to the new binary" [ "$(readlink -f "$hooks/qemu")" = /usr/sbin/libvirt-hook -a -x "$hooks/qemu" ]
virsh_ destroy kiosk >/dev/null
check "the VM stopped then was reverted by the new binary: the overlay the old one left is gone" [ -z "$(backing "$images/kiosk.qcow2")" ]
check "the base is as it was (the guest's write is gone)" [ "$(counter "$images/kiosk.qcow2")" = 0 ]
check "no stateless-base and no journal are left" bash -c "! ls $images/kiosk.qcow2.stateless-base $state/kiosk.journal.json"
configured="$(dpkg --configure libvirt-hook 2>&1)"; rc=$?
out="$out"$'\n'"$configured"
echo "$out" | grep '^libvirt-hook:' | sed 's/^/   /'
check "dpkg --configure succeeds" [ "$rc" -eq 0 ]
check "the package is now $current_version" [ "$(dpkg-query -W -f '${Version}' libvirt-hook)" = "$current_version" ]
check "the hook symlink is still there and still ours" ours "$hooks/qemu"
check "the hook links to the binary at /usr/sbin/libvirt-hook (moved there if the old release had it elsewhere)" [ "$(readlink "$hooks/qemu")" = /usr/sbin/libvirt-hook -a -f /usr/sbin/libvirt-hook -a ! -L /usr/sbin/libvirt-hook ]
check "no binary is left in /usr/libexec/libvirt-hook" bash -c '! [ -e /usr/libexec/libvirt-hook ]'
if [ "$previous_link" = /usr/libexec/libvirt-hook/libvirt-hook ]; then
    check "preinst said it moved 0.1.0's hook link to /usr/sbin/libvirt-hook" contains "$out" "now points at /usr/sbin/libvirt-hook"
fi
exec_paths package "$hooks/qemu" /usr/sbin/libvirt-hook
check "postinst says no restart is needed" contains "$configured" "no restart needed"
check "the metrics and refresh units are in /usr/lib/systemd/system, calling /usr/sbin/libvirt-hook, none enabled" \
    bash -c 'cd /usr/lib/systemd/system && ls libvirt-hook-metrics.service libvirt-hook-metrics.timer libvirt-hook-refresh@.service libvirt-hook-refresh@.timer && grep -q "^ExecStart=/usr/sbin/libvirt-hook refresh --timeout 120s -- \"%I\"$" libvirt-hook-refresh@.service && ! ls /etc/systemd/system/timers.target.wants/libvirt-hook-*'

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
virt_aa_helper_checks
virsh_ destroy kiosk >/dev/null
check "its stop reverted it" [ -z "$(backing "$images/kiosk.qcow2")" ]

echo "== apt purge with no VM on an overlay"
out="$(apt_ purge libvirt-hook)"; rc=$?
check "apt purge succeeds" [ "$rc" -eq 0 ]
check "qemu.d/libvirt-hook is gone, the foreign hook stays" bash -c "! [ -L $hooks/qemu.d/libvirt-hook ] && [ \"\$(md5sum < $hooks/qemu)\" = '$foreign' ]"
check "the state directory is gone" bash -c "! [ -e $state ]"
check "the VM's image is still there, reverted" [ "$(counter "$images/kiosk.qcow2")" = 0 ]

echo "== apt install over an install.sh install (beside the foreign hook): the package takes it over"
echo "   the tarball's install.sh: $(ls /spec/tarball)"
out="$(/spec/tarball/libvirt-hook-*/install.sh 2>&1)"; rc=$?
[ "$rc" -eq 0 ] || sed 's/^/   | /' <<<"$out"
check "the tarball's install.sh succeeds" [ "$rc" -eq 0 ]
check "install.sh put its hook (the binary) in qemu.d and its admin command in /usr/local/sbin" [ -f "$hooks/qemu.d/libvirt-hook" -a ! -L "$hooks/qemu.d/libvirt-hook" -a -f /usr/local/sbin/libvirt-hook ]
check "install.sh's admin command is a link to its hook: one binary" [ "$(readlink /usr/local/sbin/libvirt-hook)" = "$hooks/qemu.d/libvirt-hook" ]
check "the admin command answers --version" [ -n "$(/usr/local/sbin/libvirt-hook --version)" ]
exec_paths tarball "$hooks/qemu.d/libvirt-hook" /usr/local/sbin/libvirt-hook
out="$(apt_ install /spec/current.deb)"; rc=$?
echo "$out" | grep '^libvirt-hook:' | sed 's/^/   /'
check "apt install succeeds (the logrotate rule install.sh wrote is the conffile's twin)" [ "$rc" -eq 0 ]
check "qemu.d/libvirt-hook is now the package's link" ours "$hooks/qemu.d/libvirt-hook"
check "postinst says no restart is needed" contains "$out" "no restart needed"
check "install.sh's /usr/local/sbin/libvirt-hook and its manifest are gone" bash -c "! [ -e /usr/local/sbin/libvirt-hook ] && ! [ -L /usr/local/sbin/libvirt-hook ] && ! [ -e $hooks/.libvirt-hook-installed ]"
check "install.sh's systemd units are gone: the package's own take their place" \
    bash -c '! ls /etc/systemd/system/libvirt-hook-* && for unit in /usr/lib/systemd/system/libvirt-hook-*; do grep -q "^ExecStart=/usr/sbin/libvirt-hook " "$unit" || [ "${unit##*.}" = timer ] || exit 1; done'
check "the foreign hook is still untouched" [ "$(md5sum < "$hooks/qemu")" = "$foreign" ]
check "dpkg --verify finds every file as shipped" [ -z "$(dpkg --verify libvirt-hook)" ]

finish
