#!/usr/bin/env bash
# Builds the NativeAOT hook and installs it as libvirt's QEMU hook.
#
#   sudo ./install.sh                     build and install
#   sudo ./install.sh --binary PATH       install an already built binary
#   DESTDIR=/tmp/stage ./install.sh       stage everything under /tmp/stage, touch nothing else
#
# A different hook already at /etc/libvirt/hooks/qemu is never overwritten: this one then goes
# to /etc/libvirt/hooks/qemu.d/, which libvirt (>= 6.5) runs after the main hook.
set -euo pipefail
cd "$(dirname "$0")"

binary=""
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary="$2"; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown option \"$1\"; see --help" >&2; exit 2 ;;
    esac
done

DESTDIR="${DESTDIR:-}"
hooks="$DESTDIR/etc/libvirt/hooks"
marker="$hooks/.libvirt-hook-installed"

if [ -z "$binary" ]; then
    if ! command -v dotnet >/dev/null; then
        echo "install.sh: the .NET SDK (dotnet) is needed to build the hook; install it, or pass --binary PATH" >&2
        exit 1
    fi
    dotnet publish src/LibvirtHook/LibvirtHook.csproj -c Release -r linux-x64 -o artifacts/hook -nologo -v quiet
    binary=artifacts/hook/libvirt-hook
fi
[ -x "$binary" ] || { echo "install.sh: \"$binary\" is not an executable" >&2; exit 1; }

owner=()
[ "$(id -u)" -eq 0 ] && owner=(-o root -g root)
install -d -m 0755 "${owner[@]}" "$hooks" "$hooks/config"
install -d -m 0755 "$DESTDIR/var/log/libvirt/qemu"

# Which path did an earlier run of this script install to? Anything else there is foreign.
previous=""
[ -f "$marker" ] && previous="$(cat "$marker")"

target="$hooks/qemu"
if [ -e "$target" ] && [ "$previous" != "/etc/libvirt/hooks/qemu" ]; then
    install -d -m 0755 "$hooks/qemu.d"
    target="$hooks/qemu.d/libvirt-hook"
    echo "A different hook is already installed at $hooks/qemu; it is left as it is."
    echo "Installing into $target instead: libvirt runs it after the main hook."
fi

new_hook=yes
[ -e "$target" ] && new_hook=no
install -m 0755 "${owner[@]}" "$binary" "$target.new"
mv -f "$target.new" "$target"
echo "${target#"$DESTDIR"}" > "$marker"
echo "Installed $target"
echo "Configs: $hooks/config/<domain>.json (see hooks-config-samples/). Log: $DESTDIR/var/log/libvirt/qemu/hooks.log"

if [ -z "$DESTDIR" ] && [ "$new_hook" = yes ]; then
    echo "libvirtd looks for hooks only when it starts: restart it now (systemctl restart libvirtd)."
fi
