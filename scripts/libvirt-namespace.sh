#!/usr/bin/env bash
# libvirt-namespace.sh [--root DIR] [--share DIR]... [--bind SRC DST]... -- COMMAND [ARG]...
#
# Runs COMMAND in a new mount and pid namespace, where a private libvirtd can run without
# touching the host's. Used by the end-to-end harness (tests/LibvirtHook.EndToEnd) and, through
# scripts/private-libvirtd.sh, by demo/ and bench/.
#
#   --root DIR       the libvirt to run: a Debian root (scripts/debian-root.sh) that becomes `/`
#                    through pivot_root, over a tmpfs overlay so nothing is written into DIR.
#                    libvirt needs `/` to be a mount point (a plain chroot fails every QEMU start).
#                    Without --root: the host's libvirt.
#   --share DIR      with --root: the host's DIR at the same path inside, so paths in domain XML
#                    and configs mean the same file on both sides. Ignored without --root.
#   --bind SRC DST   bind-mounts the host's SRC on DST (inside the root, if there is one).
#
# The namespace's PID 1 is this script's bash, which reaps orphans at once: this machine's
# own PID 1 reaps them about 2 s late, and libvirt waits for QEMU's exit on every stop. When
# COMMAND ends, PID 1 exits and the kernel kills whatever is left in the namespace.
set -euo pipefail

if [ "${1:-}" != "--inside" ]; then
    [ "$(id -u)" -eq 0 ] || { echo "libvirt-namespace.sh: needs root (mount and pid namespaces)" >&2; exit 1; }
    scratch=$(mktemp -d /tmp/libvirt-namespace-XXXXXX)
    status=0
    unshare --mount --propagation private --pid --fork --mount-proc --kill-child -- \
        bash "${BASH_SOURCE[0]}" --inside "$scratch" "$@" || status=$?
    rmdir "$scratch" 2>/dev/null || true
    exit "$status"
fi

scratch="$2"
shift 2
root="" shares=() binds=()
while [ $# -gt 0 ]; do
    case "$1" in
        --root) root="$2"; shift 2 ;;
        --share) shares+=("$2"); shift 2 ;;
        --bind) binds+=("$2" "$3"); shift 3 ;;
        --) shift; break ;;
        *) echo "libvirt-namespace.sh: unknown option \"$1\"" >&2; exit 2 ;;
    esac
done
[ $# -gt 0 ] || { echo "libvirt-namespace.sh: no command after --" >&2; exit 2; }

# The root's libvirt-qemu joins the group that owns the host's /dev/kvm (in the overlay only), as
# the host's libvirt-qemu is: otherwise libvirt finds /dev/kvm unusable and probes QEMU again at
# every start (about +1 s per start). /dev/kvm itself is not changed.
kvm_group() {
    local new="$1" gid
    [ -c /dev/kvm ] || return 0
    gid=$(stat -c %g /dev/kvm)
    if cut -d: -f3 "$new/etc/group" | grep -qx "$gid"; then
        awk -F: -v OFS=: -v gid="$gid" '$3 == gid { $4 = ($4 == "" ? "libvirt-qemu" : $4 ",libvirt-qemu") } 1' \
            "$new/etc/group" > "$scratch/group"
        cat "$scratch/group" > "$new/etc/group"
    else
        echo "host-kvm:x:$gid:libvirt-qemu" >> "$new/etc/group"
    fi
}

if [ -n "$root" ]; then
    [ -f "$root/.libvirt-hook-root" ] || { echo "libvirt-namespace.sh: \"$root\" is not a finished root from scripts/debian-root.sh" >&2; exit 1; }
    source "$(dirname "${BASH_SOURCE[0]}")/root-mounts.sh"
    options=(--host-dev --hosts --before-pivot kvm_group)
    for dir in "${shares[@]}"; do
        options+=(--bind "$dir" "$dir")
    done
    for ((i = 0; i < ${#binds[@]}; i += 2)); do
        options+=(--bind "${binds[i]}" "${binds[i + 1]}")
    done
    enter_root "${options[@]}" "$root" "$scratch"
else
    for ((i = 0; i < ${#binds[@]}; i += 2)); do
        mkdir -p "${binds[i + 1]}"
        mount --bind "${binds[i]}" "${binds[i + 1]}"
    done
fi

# Not exec: this bash stays PID 1 and reaps while it waits.
status=0
"$@" || status=$?
exit "$status"
