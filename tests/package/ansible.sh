#!/usr/bin/env bash
# The Ansible role's specs: contrib/ansible (its example playbook site.yml, role libvirt_hook) run
# by Debian's own ansible (7.x, ansible-core 2.14) and linted by its ansible-lint, against the
# package specs' throwaway Debian 12 and 13 roots, each with its private libvirtd (9.0, 11.3)
# running. Then the hook the role installed runs a stateless VM with a restart policy there.
# Ends with "N passed, N failed"; tests/package/run.sh runs it after its own specs.
#
#   sudo tests/package/ansible.sh [DEB]      (default: dist/libvirt-hook_<VERSION>_amd64.deb)
#
# The connection is community.general.chroot, with nsenter as its chroot program: the root's `/`
# is a pivot_root in a mount and pid namespace (libvirtd needs that, see tests/package/run.sh), so
# "chroot" there means entering those namespaces; everything else is the plugin's own.
# No systemd runs in the roots: the role says so and writes a cron.d line instead of enabling the
# metrics timer, and it restarts libvirtd with libvirt_hook_restart_command.
# Ansible modules need python3 and python3-apt on the target, as on any Ansible-managed Debian
# host; the roots have neither, so each throwaway overlay gets them with apt-get (downloaded the
# first time, then from /var/cache/libvirt-hook-tests/apt-archives-SUITE).
# Wrap the run in `flock /tmp/libvirt-e2e.lock`: it starts libvirtd.
set -euo pipefail
cd "$(dirname "$0")/../.."

cannot_run() { echo "THE ANSIBLE SPECS CANNOT RUN: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

if [ "${1:-}" = --checks ]; then
    # ---- Inside the throwaway root (PID 1 of its namespace): python for Ansible, libvirtd, the
    # domains the inventory names; then wait while the host runs Ansible and checks.
    export DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin
    source /spec/guest.sh
    images=/var/lib/libvirt/images
    mkdir -p /spec/apt-archives/partial "$images" /run/libvirt /var/log/libvirt/qemu
    apt_() { apt-get -y -q -o Dpkg::Use-Pty=0 -o Dir::Cache::Archives=/spec/apt-archives "$@" >/spec/apt.log 2>&1; }
    start=$SECONDS
    apt_ install --no-download python3 python3-apt || apt_ install python3 python3-apt ||
        { apt_ update && apt_ install python3 python3-apt; } || { cat /spec/apt.log; echo failed > /spec/ready; exit 1; }
    echo "   python3 and python3-apt for Ansible's modules: $((SECONDS - start)) s"
    virtlogd -d -p /run/libvirt/virtlogd.pid
    libvirtd -d -p /run/libvirt/libvirtd.pid
    for i in $(seq 300); do virsh -q -c qemu:///system list >/dev/null 2>&1 && break; sleep 0.1; done
    for vm in kiosk:halt lab:poweroff retired:halt; do
        cp "/spec/${vm#*:}.qcow2" "$images/${vm%%:*}.qcow2"
        tiny_guest_xml "${vm%%:*}" "$images/${vm%%:*}.qcow2" "/tmp/${vm%%:*}.serial" > "/tmp/${vm%%:*}.xml"
        # kiosk asks for cold reboots: it starts as most domains are, with a guest reboot kept warm.
        [ "${vm%%:*}" != kiosk ] || sed -i 's|<on_reboot>destroy</on_reboot>|<on_reboot>restart</on_reboot>|' /tmp/kiosk.xml
        virsh -q -c qemu:///system define "/tmp/${vm%%:*}.xml" >/dev/null
    done
    echo ready > /spec/ready
    while [ ! -e /spec/done ]; do sleep 0.2; done
    exit 0
fi

# ---- On the host.
[ "$(id -u)" -eq 0 ] || cannot_run "it must run as root (mount and pid namespaces, pivot_root)"
for tool in ansible-playbook ansible-lint unshare nsenter nasm; do
    command -v "$tool" >/dev/null || cannot_run "\"$tool\" is not installed (apt-get install ansible ansible-lint util-linux nasm)"
done
version="$(tr -d '[:space:]' < VERSION)"
deb="$(realpath "${1:-dist/libvirt-hook_${version}_amd64.deb}")"
[ -f "$deb" ] || cannot_run "no package at $deb: build it with ./package.sh"

passed=0 failed=0
check() {
    local what="$1"; shift
    if "$@" >/dev/null 2>&1; then passed=$((passed + 1)); echo "PASS $what"
    else failed=$((failed + 1)); echo "FAIL $what"; fi
}
contains() { grep -qF -- "$2" <<<"$1"; }

scratch="$(mktemp -d /var/tmp/libvirt-hook-ansible-XXXXXX)"
namespace=""
cleanup() {
    [ -z "$namespace" ] || { touch "$scratch/spec/done"; wait "$namespace" 2>/dev/null || true; }
    rm -rf "$scratch"
}
trap cleanup EXIT

echo "== ansible-lint on contrib/ansible ($(ansible-lint --version 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' | head -n 1))"
start=$SECONDS
lint_rc=0
lint="$(cd contrib/ansible && ansible-lint --offline -p --nocolor 2>&1)" || lint_rc=$?
sed 's/^/   /' <<<"$lint"
echo "   took $((SECONDS - start)) s"
check "ansible-lint finds nothing in the role, the example playbook and inventory (production profile)" [ "$lint_rc" -eq 0 ]

mkdir -p "$scratch/layers" "$scratch/spec"
cp "$deb" "$scratch/spec/current.deb"
source scripts/private-libvirtd.sh
tiny_guest_disk END_HALT "$scratch/spec/halt.qcow2"
tiny_guest_disk END_POWEROFF "$scratch/spec/poweroff.qcow2"
declare -f tiny_guest_xml > "$scratch/spec/guest.sh"
cp tests/package/ansible.sh "$scratch/spec/ansible.sh"
# libvirtd looks for hooks only when it starts: the role runs this where no service manager does.
cat > "$scratch/spec/restart-libvirtd" <<'EOF'
#!/bin/sh
pid="$(cat /run/libvirt/libvirtd.pid)"
kill "$pid"
for i in $(seq 300); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
rm -f /run/libvirt/libvirtd.pid
libvirtd -d -p /run/libvirt/libvirtd.pid
for i in $(seq 300); do virsh -q -c qemu:///system list >/dev/null 2>&1 && exit 0; sleep 0.1; done
exit 1
EOF
# community.general.chroot runs: CHROOT_EXE ROOT /bin/sh -c CMD; ROOT is /proc/PID/root.
cat > "$scratch/nsenter-chroot" <<'EOF'
#!/bin/sh
pid="${1#/proc/}"; pid="${pid%/root}"; shift
exec nsenter -t "$pid" -m -p -r -w -- "$@"
EOF
chmod 0755 "$scratch/spec/restart-libvirtd" "$scratch/nsenter-chroot"
export ANSIBLE_ROLES_PATH="$PWD/contrib/ansible/roles" ANSIBLE_LOCAL_TEMP="$scratch/ansible-local" \
    ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_HOST_KEY_CHECKING=0 ANSIBLE_RETRY_FILES_ENABLED=0 \
    ANSIBLE_PIPELINING=1

# inventory FILE VM...: the example playbook's group with one host, the root, and these VMs.
inventory() {
    local file="$1" vm; shift
    {
        cat <<EOF
hypervisors:
  hosts:
    root:
      ansible_connection: community.general.chroot
      ansible_host: /proc/$init/root
      ansible_chroot_exe: $scratch/nsenter-chroot
      ansible_python_interpreter: /usr/bin/python3
      ansible_become: false
      libvirt_hook_deb: $scratch/spec/current.deb
      libvirt_hook_restart_command: [/spec/restart-libvirtd]
      libvirt_hook_vms:
EOF
        for vm in "$@"; do
            case "$vm" in
                kiosk) echo '        kiosk: {disks: [{target: hda}], restart: {}, cold_reboot: true}' ;;
                kiosk-bad) echo '        kiosk: {disks: [{target: vdz}], restart: {}, cold_reboot: true}' ;;
                lab) echo '        lab: {disks: [{target: hda}], restart: {"on": [shutdown], max-restarts: 2, window-seconds: 600}}' ;;
                retired) echo '        retired: {disks: [{target: hda}]}' ;;
            esac
        done
    } > "$file"
}
# play NAME INVENTORY [ARG...]: runs site.yml; sets rc, out and changed (from the recap).
play() {
    local name="$1" inv="$2" start=$SECONDS; shift 2
    rc=0
    out="$(ansible-playbook -i "$inv" contrib/ansible/site.yml "$@" 2>&1)" || rc=$?
    changed="$(sed -nE 's/^root +: .*changed=([0-9]+).*/\1/p' <<<"$out")"
    printf '%s\n' "$out" > "$scratch/play-$name.log"
    echo "   ansible-playbook $name ($*): exit $rc, changed=${changed:-?}, $((SECONDS - start)) s"
    awk '/^TASK \[/ { task = $0; sub(/^TASK \[libvirt_hook : /, "", task); sub(/\] \**$/, "", task) }
         /^changed: / { print "     changed: " task }' <<<"$out" | tee "$scratch/play-$name.summary"
    [ "$rc" -eq 0 ] || grep -E 'fatal|FAILED' "$scratch/play-$name.log" | head -n 5 | cut -c 1-400 | sed 's/^/   | /' || true
}
inroot() { nsenter -t "$init" -m -p -r -w -- "$@"; }
virsh_() { inroot virsh -q -c qemu:///system "$@"; }
libvirtd_pid() { inroot cat /run/libvirt/libvirtd.pid; }
config() { inroot cat "/etc/libvirt/hooks/config/$1"; }
backing() { inroot qemu-img info -U --output=json "$1" | grep -o '"full-backing-filename": *"[^"]*"' | sed 's/.*: *"//; s/"$//'; }
wait_for() { local i; for i in $(seq 600); do eval "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

for suite in ${LIBVIRT_HOOK_PACKAGE_SUITES:-bookworm trixie}; do
    lower="$(scripts/debian-root.sh "$suite")" || cannot_run "scripts/debian-root.sh could not build the Debian $suite root"
    suite_start=$SECONDS
    cache="/var/cache/libvirt-hook-tests/apt-archives-$suite"
    mkdir -p "$cache" "$scratch/spec/apt-archives"
    rm -f "$scratch/spec/ready" "$scratch/spec/done" "$scratch/spec/apt-archives/"*.deb
    cp "$cache/"*.deb "$scratch/spec/apt-archives/" 2>/dev/null || true
    echo "== the role on a Debian $suite root ($(chroot "$lower" dpkg-query -W -f '${Version}' libvirt-daemon) libvirt)"
    unshare --mount --propagation private --pid --fork --mount-proc --kill-child -- \
        bash tests/package/run.sh --namespace "$scratch" "$lower" ansible.sh &
    namespace=$!
    # The first time, apt-get downloads python3 into the root: up to 5 minutes.
    for i in $(seq 3000); do [ -s "$scratch/spec/ready" ] || ! [ -d "/proc/$namespace" ] && break; sleep 0.1; done
    if [ "$(cat "$scratch/spec/ready" 2>/dev/null)" != ready ]; then
        check "the $suite root came up with python3 and a private libvirtd" false
    else
        cp -n "$scratch/spec/apt-archives/"*.deb "$cache/" 2>/dev/null || true
        init="$(pgrep -P "$namespace" | head -n 1)"
        pid_before="$(libvirtd_pid)" || true
        check "kiosk's persistent definition starts with <on_reboot>restart</on_reboot>" contains "$(virsh_ dumpxml --inactive kiosk)" '<on_reboot>restart</on_reboot>'

        inventory "$scratch/all.yml" kiosk lab retired
        play check-first "$scratch/all.yml" --check --diff
        check "--check --diff on a fresh host succeeds and reports changes" [ "$rc" -eq 0 -a "${changed:-0}" -gt 0 ]
        check "--check --diff shows the configs it would write" contains "$out" '"target": "hda"'
        check "--check --diff says it would ask libvirt-hook enable --cold-reboot for kiosk" contains "$out" 'would run libvirt-hook enable --cold-reboot for kiosk'
        check "--check changed nothing: no package, no config, libvirtd not restarted" bash -c \
            "! nsenter -t $init -m -p -r -w -- dpkg-query -W libvirt-hook && ! nsenter -t $init -m -p -r -w -- ls /etc/libvirt/hooks/config/kiosk.json && [ \"\$(nsenter -t $init -m -p -r -w -- cat /run/libvirt/libvirtd.pid)\" = '$pid_before' ]"

        play first "$scratch/all.yml"
        first_changed="${changed:-?}"
        check "the first run succeeds and changes things (changed=$first_changed)" [ "$rc" -eq 0 -a "${changed:-0}" -gt 0 ]
        check "it installed the package, and the hook is linked" bash -c "[ \"\$(nsenter -t $init -m -p -r -w -- readlink /etc/libvirt/hooks/qemu)\" = /usr/sbin/libvirt-hook ]"
        check "it restarted libvirtd, which had started before the hook existed" [ "$(libvirtd_pid)" != "$pid_before" ]
        check "it wrote each VM's config, root-owned 0644, as the inventory says" bash -c \
            "for vm in kiosk lab retired; do [ \"\$(nsenter -t $init -m -p -r -w -- stat -c '%U:%G %a' /etc/libvirt/hooks/config/\$vm.json)\" = 'root:root 644' ] || exit 1; done"
        check "lab's config has its restart policy" contains "$(config lab.json)" '"max-restarts": 2'
        check "the admin command accepts every config (libvirt-hook validate)" inroot libvirt-hook validate
        check "libvirt-hook enable --cold-reboot set <on_reboot>destroy</on_reboot> in kiosk's persistent definition" bash -c \
            "grep -q 'changed: Ask libvirt-hook for cold reboots of kiosk' '$scratch/play-first.summary' && nsenter -t $init -m -p -r -w -- virsh -q -c qemu:///system dumpxml --inactive kiosk | grep -q '<on_reboot>destroy</on_reboot>'"
        check "the role said systemd does not run and wrote the cron line instead of enabling the timer" bash -c \
            "grep -q 'systemd is not running here' '$scratch/play-first.log' && nsenter -t $init -m -p -r -w -- grep -q 'libvirt-hook metrics --output /var/lib/prometheus/node-exporter/libvirt-hook.prom' /etc/cron.d/libvirt-hook-metrics"
        pid_after_first="$(libvirtd_pid)" || true

        play second "$scratch/all.yml"
        second_changed="${changed:-?}"
        check "a second run succeeds with changed=0 (it reported changed=$second_changed)" [ "$rc" -eq 0 -a "$second_changed" = 0 ]
        check "it did not restart libvirtd again" [ "$(libvirtd_pid)" = "$pid_after_first" ]
        echo "   changed counts: first run $first_changed, second run $second_changed"

        inventory "$scratch/kept.yml" kiosk lab
        retired_before="$(config retired.json)" || true
        play check-removal "$scratch/kept.yml" --check --diff
        check "--check --diff with retired out of the inventory reports 1 change and keeps its config" \
            bash -c "[ '$rc' -eq 0 ] && [ '${changed:-}' = 1 ] && nsenter -t $init -m -p -r -w -- test -f /etc/libvirt/hooks/config/retired.json"
        play removal "$scratch/kept.yml"
        check "then a run disables retired (changed=${changed:-?}): its config kept as retired.json.bak" bash -c \
            "[ '$rc' -eq 0 ] && [ '${changed:-}' = 1 ] && ! nsenter -t $init -m -p -r -w -- test -e /etc/libvirt/hooks/config/retired.json"
        check "retired.json.bak is the config the role wrote" [ "$(config retired.json.bak)" = "$retired_before" ]

        inventory "$scratch/bad.yml" kiosk-bad lab
        kiosk_before="$(config kiosk.json)" || true
        play bad "$scratch/bad.yml"
        check "a config naming a disk the domain lacks fails the run, with the admin command's reason" \
            bash -c "[ '$rc' -ne 0 ] && grep -q 'vdz' '$scratch/play-bad.log'"
        check "and the config in place is unchanged" [ "$(config kiosk.json)" = "$kiosk_before" ]

        echo "   the installed hook on the root's libvirtd ($(inroot libvirtd --version))"
        virsh_ start lab >/dev/null || true
        check "lab: the crash-loop guard gives up after its 2 restarts" wait_for "inroot grep -q 'vm=\"lab\".*crash-loop guard' /var/log/libvirt/qemu/hooks.log"
        check "lab: each of its 3 boots started from the base" bash -c \
            "[ \"\$(nsenter -t $init -m -p -r -w -- grep -c '^boot drive=80 seen=00000000' /tmp/lab.serial)\" -eq 3 ]"
        virsh_ start kiosk >/dev/null || true
        check "kiosk runs on a fresh overlay over its image" [ "$(backing /var/lib/libvirt/images/kiosk.qcow2)" = /var/lib/libvirt/images/kiosk.qcow2.stateless-base ]
        virsh_ destroy kiosk >/dev/null || true
        check "kiosk's stop reverted it" [ -z "$(backing /var/lib/libvirt/images/kiosk.qcow2)" ]
    fi
    touch "$scratch/spec/done"
    wait "$namespace" 2>/dev/null || true
    namespace=""
    echo "== the role's specs on the $suite root took $((SECONDS - suite_start)) s"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
