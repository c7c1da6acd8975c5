#!/bin/sh
# Prints "restart DAEMON ..." when a running libvirtd or virtqemud started before the packaged
# hook's link was made: those daemons look for hooks only when they start, so that one does not
# run it yet. Otherwise "ok ...". Reads /proc only; the link's own mtime is when postinst made it.
# Robust where postinst's message is not: it still answers "restart" on a run after one that
# installed the package but did not get to restart the daemon.
set -eu
binary=/usr/libexec/libvirt-hook/libvirt-hook
hook=
for candidate in /etc/libvirt/hooks/qemu /etc/libvirt/hooks/qemu.d/libvirt-hook; do
    if [ -L "$candidate" ] && [ "$(readlink "$candidate")" = "$binary" ]; then
        hook=$candidate
        break
    fi
done
if [ -z "$hook" ]; then
    echo "ok: the packaged hook is not linked (yet)"
    exit 0
fi
linked=$(stat -c %Y "$hook")
boot=$(awk '/^btime / { print $2 }' /proc/stat)
ticks=$(getconf CLK_TCK)
for process in /proc/[0-9]*; do
    name=$(cat "$process/comm" 2>/dev/null) || continue
    case "$name" in libvirtd | virtqemud) ;; *) continue ;; esac
    # Field 22 of stat is the start in clock ticks after boot (the name, field 2, has no space here).
    started=$(awk -v boot="$boot" -v ticks="$ticks" '{ printf "%d", boot + $22 / ticks }' "$process/stat" 2>/dev/null) || continue
    if [ "$started" -le "$linked" ]; then
        echo "restart $name: pid ${process#/proc/} started at $started, before $hook was linked at $linked"
        exit 0
    fi
done
echo "ok: every running libvirtd/virtqemud started after $hook was linked, or none runs"
