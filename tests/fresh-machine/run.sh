#!/usr/bin/env bash
# The README's commands on a fresh machine: a clean clone of this repository's HEAD, in a fresh
# Debian 12 (debootstrap minbase, plus only what the .NET SDK itself needs: ca-certificates,
# libicu72, git), with this host's .NET SDK bind-mounted read-only and no libvirt, QEMU, nasm,
# compiler or dpkg-dev installed. There it runs `./test.sh` and then `demo/run.sh`, which must
# install what they need with apt (saying what) and pass.
#
#   sudo flock /tmp/libvirt-e2e.lock tests/fresh-machine/run.sh
#
# Slow (apt installs libvirt and QEMU, then the whole test run), so ./test.sh does not run it.
# The fresh root is an overlay over a cached minbase root; the host is not touched. The Debian
# roots the package and end-to-end specs use are bind-mounted read-only from the host's cache
# (they are a cache: building them again would only cost time). NuGet packages come from the
# host's cache, read-only.
set -euo pipefail
cd "$(dirname "$0")/../.."

case "${1:-}" in
--namespace)
    scratch="$2" base="$3"
    # Before the pivot, with the host's files at hand: its resolver and the network's own CA
    # certificates (an egress proxy here), as every machine on it has them; dotnet on PATH.
    fresh_machine_setup() {
        local new="$1"
        cp /etc/resolv.conf "$new/etc/resolv.conf"
        if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
            cp /usr/local/share/ca-certificates/*.crt "$new/usr/local/share/ca-certificates/"
            chroot "$new" update-ca-certificates >/dev/null 2>&1
        fi
        ln -sf /usr/share/dotnet/dotnet "$new/usr/bin/dotnet"
    }
    options=(--upper-on-disk --before-pivot fresh_machine_setup --bind-ro /usr/share/dotnet /usr/share/dotnet --bind-ro /root/.nuget/packages /root/.nuget/packages)
    for suite in trixie bookworm; do
        dir=/var/cache/libvirt-hook-tests/$suite-root
        if [ -f "$dir/.libvirt-hook-root" ]; then options+=(--bind-ro "$dir" "$dir"); fi
    done
    options+=(--bind "$scratch/clone" /root/clone)
    source scripts/root-mounts.sh
    enter_root "${options[@]}" "$base" "$scratch/layers"
    cd /root/clone
    export HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
    echo "== the fresh machine: Debian $(cat /etc/debian_version); libvirt installed: $(dpkg-query -W -f '${db:Status-Abbrev}' libvirt-daemon-system 2>/dev/null || echo no); dotnet $(dotnet --version)"
    status=0
    echo "== ./test.sh"
    start=$SECONDS
    ./test.sh || status=1
    echo "== ./test.sh took $((SECONDS - start)) s, exit $status"
    echo "== demo/run.sh"
    start=$SECONDS
    demo/run.sh >/tmp/demo.log 2>&1 || status=1
    tail -n 5 /tmp/demo.log
    echo "== demo/run.sh took $((SECONDS - start)) s"
    exit "$status"
    ;;
esac

[ "$(id -u)" -eq 0 ] || { echo "tests/fresh-machine/run.sh: needs root" >&2; exit 1; }
base=/var/cache/libvirt-hook-tests/fresh-bookworm
if [ ! -f "$base/.fresh-machine" ]; then
    echo "Building a minbase Debian 12 root in $base (about 2 minutes, once)"
    rm -rf "$base.building"
    unshare --mount --propagation private -- \
        debootstrap --variant=minbase --include=ca-certificates,libicu72,git bookworm "$base.building" \
        "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >/dev/null
    touch "$base.building/.fresh-machine"
    mv "$base.building" "$base"
fi

scratch="$(mktemp -d /var/tmp/libvirt-hook-fresh-XXXXXX)"
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/layers"
git clone -q --no-local -b "$(git rev-parse --abbrev-ref HEAD)" . "$scratch/clone"
unshare --mount --propagation private --pid --fork --mount-proc --kill-child -- \
    bash tests/fresh-machine/run.sh --namespace "$scratch" "$base"
