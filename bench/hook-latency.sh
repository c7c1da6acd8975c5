#!/usr/bin/env bash
# Wall time per hook event of the installed-style AOT binary, run the way libvirtd runs it
# (argv + domain XML on stdin). Runs in a private mount namespace with tmpfs over the hook's
# config, state and log directories, so the host's libvirt setup is never read or written.
# In the same run it times the floor: bench/hook-floor, a NativeAOT program whose Main returns 0,
# built with the hook's own NativeAot.props (published here unless LIBVIRT_HOOK_FLOOR names one).
#
#   sudo bench/hook-latency.sh [ITERATIONS]        (build first: ./test.sh or install.sh)
#   LIBVIRT_HOOK_BASELINE=old/libvirt-hook sudo bench/hook-latency.sh   also times another build of
#       the hook (an older commit's artifacts/hook/libvirt-hook) on the same managed VM, interleaved
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${LIBVIRT_HOOK_BINARY:-$PWD/artifacts/hook/libvirt-hook}"
[ -x "$binary" ] || { echo "bench: no hook binary at $binary; run ./test.sh or dotnet publish first" >&2; exit 1; }
floor="${LIBVIRT_HOOK_FLOOR:-}"
if [ -z "$floor" ]; then
    dotnet publish bench/hook-floor/HookFloor.csproj -c Release -r linux-x64 -o artifacts/hook-floor -nologo -v quiet >&2
    floor="$PWD/artifacts/hook-floor/hook-floor"
fi
[ -x "$floor" ] || { echo "bench: no floor binary at $floor" >&2; exit 1; }
# The floor is run under the same name as the hook; hook_latency.py installs it there.
exec scripts/private-hook-dirs.sh "$binary" python3 bench/hook_latency.py /etc/libvirt/hooks/qemu "$floor" "${1:-200}" "${LIBVIRT_HOOK_BASELINE:-}"
