#!/bin/sh
# Prints "restart DAEMON ..." when a running libvirtd or virtqemud started before the packaged
# hook's link was made: those daemons look for hooks only when they start, so that one does not
# run it yet. Otherwise "ok ...". Reads /proc only; the link's own mtime is when postinst made it.
# Robust where postinst's message is not: it still answers "restart" on a run after one that
# installed the package but did not get to restart the daemon.
set -eu
# The package's binary, wherever its version keeps it (/usr/sbin/libvirt-hook is it, or a link to it).
binary=$(readlink -f /usr/sbin/libvirt-hook 2>/dev/null) || binary=
hook=
for candidate in /etc/libvirt/hooks/qemu /etc/libvirt/hooks/qemu.d/libvirt-hook; do
    if [ -n "$binary" ] && [ -L "$candidate" ] && [ "$(readlink -f "$candidate")" = "$binary" ]; then
        hook=$candidate
        break
    fi
done
if [ -z "$hook" ]; then
    echo "ok: the packaged hook is not linked (yet)"
    exit 0
fi
# Sub-second: a daemon restarted in the same second as the link must not look stale.
linked=$(stat -c %.3Y "$hook")
ticks=$(getconf CLK_TCK)
for process in /proc/[0-9]*; do
    name=$(cat "$process/comm" 2>/dev/null) || continue
    case "$name" in libvirtd | virtqemud) ;; *) continue ;; esac
    # Field 22 of stat: its start, in clock ticks after boot (field 2, the name, has no space here);
    # now minus its age is when it started.
    started=$(awk -v now="$(date +%s.%N)" -v ticks="$ticks" -v uptime="$(cut -d ' ' -f 1 /proc/uptime)" \
        '{ printf "%.3f", now - (uptime - $22 / ticks) }' "$process/stat" 2>/dev/null) || continue
    if awk -v started="$started" -v linked="$linked" 'BEGIN { exit !(started < linked) }'; then
        echo "restart $name: pid ${process#/proc/} started at $started, before $hook was linked at $linked"
        exit 0
    fi
done
echo "ok: every running libvirtd/virtqemud started after $hook was linked, or none runs"
