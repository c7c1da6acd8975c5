# Sourced by the scripts that enter a throwaway Debian root (tests/package/run.sh,
# tests/fresh-machine/run.sh), inside their own mount namespace, before pivot_root or chroot.

# mount_private_dev_proc_sys ROOT: a private /dev (a few bind-mounted nodes, its own devpts and
# /dev/shm), so package scripts and daemons in ROOT never see, or chgrp, the host's device nodes;
# a fresh /proc; the host's /sys.
mount_private_dev_proc_sys() {
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
    mount -t proc proc "$new/proc"
    mount --rbind /sys "$new/sys"
}
