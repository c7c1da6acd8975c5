#!/usr/bin/env bash
# build-previous.sh GIT-REF OUT.deb: the package as it was at GIT-REF (an older release, or any
# older commit): its binary AOT-built and packaged by its own package.sh (its layout, its
# maintainer scripts) in a temporary worktree, labelled 0.0.0~previous. For the package specs'
# upgrade check, which uses tests/package/previous-ref by default:
#   LIBVIRT_HOOK_PREVIOUS_DEB=OUT.deb tests/package/run.sh
# (Once a released .deb exists, pass that instead.)
set -euo pipefail
cd "$(dirname "$0")/../.."
ref="$1" out="$2"
tree="$(mktemp -d /tmp/libvirt-hook-previous-XXXXXX)"
trap 'git worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"' EXIT
git worktree add -q --detach "$tree" "$ref"
(cd "$tree" && dotnet publish src/LibvirtHook/LibvirtHook.csproj -c Release -r linux-x64 -o "$tree/artifacts/hook" -nologo -v quiet)
dist="$(mktemp -d /tmp/libvirt-hook-previous-dist-XXXXXX)"
(cd "$tree" && ./package.sh --binary "$tree/artifacts/hook/libvirt-hook" --version 0.0.0~previous --dist "$dist" >/dev/null)
mv "$dist/libvirt-hook_0.0.0~previous_amd64.deb" "$out"
rm -rf "$dist"
echo "$out: the package of $(git rev-parse --short "$ref") as 0.0.0~previous"
