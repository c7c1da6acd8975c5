# Sourced by the scripts that run something inside a Debian root (scripts/libvirt-namespace.sh,
# tests/package/run.sh, tests/fresh-machine/run.sh), in their own mount and pid namespace.

# enter_root [OPTION]... LOWER SCRATCH: makes an overlay over the Debian root LOWER the `/` of this
# mount namespace, with pivot_root (libvirt needs `/` to be a mount point: a plain chroot fails
# every QEMU start). LOWER is never written: the overlay's upper layer is a tmpfs mounted on
# SCRATCH, and SCRATCH/new the new root until the pivot. The new root gets a fresh /proc, the
# host's /sys (rbind) and a private /dev (a few bind-mounted nodes, its own devpts and /dev/shm),
# so package scripts and daemons in it never see, or chgrp, the host's device nodes.
#   --upper-on-disk        the upper layer in SCRATCH itself, not in a tmpfs there: for a run that
#                          writes gigabytes
#   --host-dev             the host's /dev (rbind) instead of a private one (QEMU needs /dev/kvm)
#   --hosts                the host's /etc/hosts
#   --bind SRC DST         the host's SRC on DST inside (DST created if missing; the same path
#                          on both sides when SRC and DST are equal)
#   --bind-ro SRC DST      the same, read-only
#   --before-pivot FUNC    FUNC NEW runs once all is mounted, just before the pivot (NEW: the
#                          new root as seen from outside)
# Afterwards the working directory is the new `/`.
enter_root() {
    local upper_on_disk="" host_dev="" hosts="" before="" binds=() modes=() lower scratch new i
    while [ $# -gt 0 ]; do
        case "$1" in
            --upper-on-disk) upper_on_disk=1; shift ;;
            --host-dev) host_dev=1; shift ;;
            --hosts) hosts=1; shift ;;
            --bind) binds+=("$2" "$3"); modes+=(rw); shift 3 ;;
            --bind-ro) binds+=("$2" "$3"); modes+=(ro); shift 3 ;;
            --before-pivot) before="$2"; shift 2 ;;
            -*) echo "enter_root: unknown option \"$1\"" >&2; return 2 ;;
            *) break ;;
        esac
    done
    [ $# -eq 2 ] || { echo "enter_root: needs LOWER and SCRATCH after the options" >&2; return 2; }
    lower="$1" scratch="$2" new="$2/new"
    [ -n "$upper_on_disk" ] || mount -t tmpfs -o mode=0755 tmpfs "$scratch"
    mkdir -p "$scratch/upper" "$scratch/work" "$new"
    mount -t overlay overlay -o "lowerdir=$lower,upperdir=$scratch/upper,workdir=$scratch/work" "$new"
    if [ -n "$host_dev" ]; then
        mount --rbind /dev "$new/dev"
    else
        private_dev "$new"
    fi
    mount -t proc proc "$new/proc"
    mount --rbind /sys "$new/sys"
    if [ -n "$hosts" ]; then
        touch "$new/etc/hosts"
        mount --bind /etc/hosts "$new/etc/hosts"
    fi
    for ((i = 0; i < ${#modes[@]}; i++)); do
        mkdir -p "$new${binds[2 * i + 1]}"
        if [ "${modes[i]}" = ro ]; then
            mount --bind -o ro "${binds[2 * i]}" "$new${binds[2 * i + 1]}"
        else
            mount --bind "${binds[2 * i]}" "$new${binds[2 * i + 1]}"
        fi
    done
    [ -z "$before" ] || "$before" "$new"
    cd "$new"
    mkdir .old-root
    pivot_root . .old-root
    cd /
    umount -l /.old-root
    rmdir /.old-root
}

# private_dev ROOT: a tmpfs on ROOT/dev with the few nodes a package script or daemon needs, bound
# from the host's, its own devpts and /dev/shm.
private_dev() {
    local new="$1" node
    mount -t tmpfs -o mode=0755,nosuid tmpfs "$new/dev"
    for node in null zero full random urandom tty; do
        touch "$new/dev/$node"
        mount --bind "/dev/$node" "$new/dev/$node"
    done
    mkdir "$new/dev/pts" "$new/dev/shm"
    mount -t devpts -o newinstance,ptmxmode=0666 devpts "$new/dev/pts"
    ln -s pts/ptmx "$new/dev/ptmx"
    mount -t tmpfs -o mode=1777 tmpfs "$new/dev/shm"
}
