#!/usr/bin/env bash
# Builds the NativeAOT binary and installs it as libvirt's QEMU hook and as the admin command.
#
#   sudo ./install.sh                  build, install (again: it replaces only its own files)
#   sudo ./install.sh --binary PATH    install an already built binary
#                                      (from the release tarball: the libvirt-hook next to this script)
#   sudo ./install.sh --uninstall      remove what it installed; configs and logs stay
#   DESTDIR=/tmp/stage ./install.sh    stage everything under /tmp/stage, touch nothing else
#
# Installs: /etc/libvirt/hooks/qemu (or, if a different hook is already there,
# /etc/libvirt/hooks/qemu.d/libvirt-hook, which libvirt >= 6.5 runs after it), the one binary,
# /usr/local/sbin/libvirt-hook (a link to it: under that name it is the admin command),
# /etc/logrotate.d/libvirt-hook, the systemd units /etc/systemd/system/libvirt-hook-metrics.{service,timer}
# and libvirt-hook-refresh@.{service,timer} (installed disabled), and the directories
# /etc/libvirt/hooks/config (root, 0755) and /var/log/libvirt/qemu. What it installed is listed in /etc/libvirt/hooks/.libvirt-hook-installed.
set -euo pipefail
cd "$(dirname "$0")"

binary=""
uninstall=no
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary="$2"; shift 2 ;;
        --uninstall) uninstall=yes; shift ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown option \"$1\"; see --help" >&2; exit 2 ;;
    esac
done

DESTDIR="${DESTDIR:-}"
hooks="$DESTDIR/etc/libvirt/hooks"
manifest="$hooks/.libvirt-hook-installed"
restart_hint="restart libvirtd so it sees the change: systemctl restart libvirtd (or virtqemud on modular hosts)"

# What an earlier run installed, as paths without DESTDIR. Older versions wrote one line too.
previous=()
[ -f "$manifest" ] && mapfile -t previous < "$manifest"
installed_before() { local p; for p in "${previous[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }

if [ "$uninstall" = yes ]; then
    [ ${#previous[@]} -gt 0 ] || { echo "Nothing to uninstall: $manifest does not exist."; exit 0; }
    # An enabled timer would leave a dangling link and a unit systemd still tries to run.
    if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ] && installed_before /etc/systemd/system/libvirt-hook-metrics.timer; then
        systemctl disable --now libvirt-hook-metrics.timer 2>/dev/null || true
    fi
    rm -f "$DESTDIR/etc/systemd/system/timers.target.wants/libvirt-hook-metrics.timer"
    # Refresh timers are enabled per VM (libvirt-hook-refresh@VM.timer): whichever are.
    if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then
        systemctl stop 'libvirt-hook-refresh@*.timer' 2>/dev/null || true
    fi
    rm -f "$DESTDIR"/etc/systemd/system/timers.target.wants/libvirt-hook-refresh@*.timer
    for path in "${previous[@]}"; do
        if [ -e "$DESTDIR$path" ] || [ -L "$DESTDIR$path" ]; then
            rm -f "$DESTDIR$path"
            echo "Removed $DESTDIR$path"
        fi
    done
    rm -f "$manifest"
    rmdir "$hooks/qemu.d" 2>/dev/null || true
    echo "Kept your configs ($hooks/config) and the log ($DESTDIR/var/log/libvirt/qemu/hooks.log)."
    [ -z "$DESTDIR" ] && echo "Now $restart_hint: until then it still tries to run the removed hook."
    exit 0
fi

# The release tarball carries the prebuilt binary next to this script and no sources.
if [ -z "$binary" ] && [ ! -d src ] && [ -x libvirt-hook ]; then
    binary=./libvirt-hook
fi
if [ -z "$binary" ]; then
    if ! command -v dotnet >/dev/null; then
        echo "install.sh: the .NET SDK (dotnet) is needed to build the hook; install it, or pass --binary PATH" >&2
        exit 1
    fi
    # The NativeAOT compiler links with gcc and zlib: installed first when missing (root, apt).
    if [ -z "$DESTDIR" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        source scripts/debian-packages.sh
        ensure_debian_packages gcc zlib1g-dev
    fi
    dotnet publish src/LibvirtHook/LibvirtHook.csproj -c Release -r linux-x64 -o artifacts/hook -nologo -v quiet
    binary=artifacts/hook/libvirt-hook
fi
[ -x "$binary" ] || { echo "install.sh: \"$binary\" is not an executable" >&2; exit 1; }

owner=()
[ "$(id -u)" -eq 0 ] && owner=(-o root -g root)
install -d -m 0755 "${owner[@]}" "$hooks" "$hooks/config"
install -d -m 0755 "$DESTDIR/var/log/libvirt/qemu" "$DESTDIR/usr/local/sbin" "$DESTDIR/etc/logrotate.d" "$DESTDIR/etc/systemd/system"

hook=/etc/libvirt/hooks/qemu
if [ -e "$DESTDIR$hook" ] && ! installed_before "$hook"; then
    hook=/etc/libvirt/hooks/qemu.d/libvirt-hook
    install -d -m 0755 "$hooks/qemu.d"
    echo "A different hook is already installed at $hooks/qemu; it is left as it is."
    echo "Installing into $DESTDIR$hook instead: libvirt runs it after the main hook."
fi

new_hook=yes
[ -e "$DESTDIR$hook" ] && new_hook=no

# Each file is written beside its target and renamed over it: a libvirtd running the hook at
# that moment sees the old binary or the new one, never half of one.
put() {
    install -m "$1" "${owner[@]}" "$2" "$DESTDIR$3.new"
    mv -f "$DESTDIR$3.new" "$DESTDIR$3"
    echo "Installed $DESTDIR$3"
}
# The binary itself lives in /etc/libvirt/hooks: libvirtd's AppArmor profile (Debian, Ubuntu)
# lets it execute files there ("/etc/libvirt/hooks/** rmix"), not in /usr/local/sbin, and AppArmor
# decides on the path behind a link. The admin command is a link to it: one binary.
put 0755 "$binary" "$hook"
ln -sfn "$hook" "$DESTDIR/usr/local/sbin/libvirt-hook.new"
mv -Tf "$DESTDIR/usr/local/sbin/libvirt-hook.new" "$DESTDIR/usr/local/sbin/libvirt-hook"
echo "Installed $DESTDIR/usr/local/sbin/libvirt-hook -> $hook"
# The same rule the Debian package ships as a conffile.
put 0644 packaging/logrotate /etc/logrotate.d/libvirt-hook

# The metrics timer is shipped disabled: node_exporter's textfile collector may not be there.
units=(/etc/systemd/system/libvirt-hook-metrics.service /etc/systemd/system/libvirt-hook-metrics.timer
       /etc/systemd/system/libvirt-hook-refresh@.service /etc/systemd/system/libvirt-hook-refresh@.timer)
for unit in "${units[@]}"; do
    put 0644 "contrib/systemd/$(basename "$unit")" "$unit"
done
[ -z "$DESTDIR" ] && [ -d /run/systemd/system ] && systemctl daemon-reload

printf '%s\n' "$hook" /usr/local/sbin/libvirt-hook /etc/logrotate.d/libvirt-hook "${units[@]}" > "$manifest"

# SELinux (Fedora, RHEL): give the new files the contexts the policy assigns to their paths
# (virt_hook_t under /etc/libvirt/hooks, bin_t for the link in /usr/local/sbin), whatever context
# the files they were copied from had. See docs/SAFETY.md, "SELinux".
if [ -z "$DESTDIR" ] && command -v selinuxenabled >/dev/null && selinuxenabled && command -v restorecon >/dev/null; then
    restorecon -F "$hook" /usr/local/sbin/libvirt-hook /etc/logrotate.d/libvirt-hook "${units[@]}" "$hooks/config" \
        && echo "SELinux: restored the policy's file contexts of the installed files (restorecon)." \
        || echo "SELinux: restorecon failed; check the contexts: ls -Z $hook" >&2
fi

echo "Configs: $hooks/config/<domain>.json (see hooks-config-samples/). Log: $DESTDIR/var/log/libvirt/qemu/hooks.log"
echo "Admin command: libvirt-hook --help"
echo "Metrics for node_exporter every minute (disabled): systemctl enable --now libvirt-hook-metrics.timer"
echo "A VM back to its base images every night (disabled): systemctl enable --now libvirt-hook-refresh@\$(systemd-escape VM).timer"
if [ "$new_hook" = yes ]; then
    echo "The hook is new: libvirtd looks for hooks only when it starts, so $restart_hint."
else
    echo "The hook was updated in place: libvirtd runs the new binary from the next VM event; no restart needed."
fi
