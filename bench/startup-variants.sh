#!/usr/bin/env bash
# Why the hook is linked the way src/LibvirtHook/NativeAot.props says: publishes the hook and the
# floor (bench/hook-floor) in several link variants, then, in a private mount namespace with
# tmpfs over the hook's directories (the host's libvirt is never read or written), prints per
# variant: relative relocations the loader applies, instructions (valgrind, if installed) and
# page faults of one unmanaged event, and interleaved wall times of unmanaged and managed events.
#
#   sudo bench/startup-variants.sh [ITERATIONS]        (default 300; ~6 min of publishing first)
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/startup-variants
relr="-p:CustomAfterMicrosoftCommonTargets=$PWD/bench/startup-variants/relr.targets"
pie="-p:PositionIndependentExecutable=true -p:XmlResolverIsNetworkingEnabledByDefault=true"
publish() { # NAME PROJECT [PROPERTIES...]
    local name=$1 project=$2; shift 2
    # A changed linker argument alone does not make the SDK link again: drop the native step's output.
    rm -rf "$(dirname "$project")/obj/Release/net10.0/linux-x64/native"
    dotnet publish "$project" -c Release -r linux-x64 -o "$out/$name" -nologo -v quiet "$@" >&2
}
publish floor-pie bench/hook-floor/HookFloor.csproj $pie
publish floor bench/hook-floor/HookFloor.csproj
hook=src/LibvirtHook/LibvirtHook.csproj
publish pie $hook $pie
publish pie-relr $hook $pie "$relr"
publish no-pie $hook -p:XmlResolverIsNetworkingEnabledByDefault=true
publish final $hook
publish final-dehydrated $hook -p:IlcDehydrate=true
publish final-trimmed $hook -p:StackTraceSupport=false -p:UseSystemResourceKeys=true -p:IlcFoldIdenticalMethodBodies=true
# The last variant changes the compiler's arguments, not only the linker's, so the next ordinary
# publish compiles and links again rather than reusing this object file.
variants=(
    "floor-pie:$out/floor-pie/hook-floor:floor-pie"
    "floor:$out/floor/hook-floor:floor"
    "pie:$out/pie/libvirt-hook:floor-pie"
    "pie-relr:$out/pie-relr/libvirt-hook:floor-pie"
    "no-pie:$out/no-pie/libvirt-hook:floor"
    "final:$out/final/libvirt-hook:floor"
    "final-dehydrated:$out/final-dehydrated/libvirt-hook:floor"
    "final-trimmed:$out/final-trimmed/libvirt-hook:floor"
)
# Each variant is installed under the name "qemu" by startup_variants.py.
exec scripts/private-hook-dirs.sh - python3 bench/startup_variants.py "${1:-300}" "${variants[@]}"
