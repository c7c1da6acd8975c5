#!/usr/bin/env bash
# Builds the NativeAOT hook and runs the unit, end-to-end and package suites.
# The end-to-end suite needs root, libvirt, QEMU and nasm (see README); it starts its own
# libvirtd in a private mount namespace and never touches the host's.
set -euo pipefail
cd "$(dirname "$0")"

# ---- Debian packages the suites need: as root on a system with apt, the missing ones are
# installed (and named); elsewhere the suites below fail loudly, saying what is missing.
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    source scripts/debian-packages.sh
    # gcc and zlib1g-dev: the NativeAOT compiler links with them.
    ensure_debian_packages gcc zlib1g-dev libvirt-daemon-system libvirt-clients qemu-system-x86 \
        qemu-utils nasm util-linux attr python3-prometheus-client debootstrap dpkg-dev lintian
fi
# ----

dotnet publish src/LibvirtHook/LibvirtHook.csproj -c Release -r linux-x64 -o artifacts/hook -nologo -v quiet
# The same code with kill points between its steps, for the fault-injection specs only.
dotnet publish src/LibvirtHook/LibvirtHook.csproj -c FaultInjection -r linux-x64 -o artifacts/hook-faults -nologo -v quiet
dotnet build LibvirtHook.sln -c Release -nologo -v quiet

mkdir -p artifacts/test-logs
status=0
for suite in LibvirtHook.Tests LibvirtHook.EndToEnd; do
    dotnet test "tests/$suite" -c Release --no-build -nologo 2>&1 | tee "artifacts/test-logs/$suite.log" || status=1
done

# ---- The Debian package: built from the binary above, linted, installed with apt into a
# throwaway Debian 13 root, used there by a private libvirtd, upgraded, removed, purged.
{ ./package.sh --binary artifacts/hook/libvirt-hook && tests/package/run.sh; } 2>&1 | tee artifacts/test-logs/package.log || status=1
grep -qE '^[0-9]+ passed, [0-9]+ failed$' artifacts/test-logs/package.log || echo "0 passed, 1 failed" >> artifacts/test-logs/package.log
# ----

# One closing line for all suites.
passed=$(grep -hoE 'Passed: +[0-9]+' artifacts/test-logs/*.log | awk '{s+=$2} END {print s+0}')
failed=$(grep -hoE 'Failed: +[0-9]+' artifacts/test-logs/*.log | awk '{s+=$2} END {print s+0}')
passed=$((passed + $(sed -nE 's/^([0-9]+) passed, [0-9]+ failed$/\1/p' artifacts/test-logs/package.log | tail -n 1)))
failed=$((failed + $(sed -nE 's/^[0-9]+ passed, ([0-9]+) failed$/\1/p' artifacts/test-logs/package.log | tail -n 1)))
echo "$passed passed, $failed failed"
if [ "$passed" -eq 0 ]; then
    echo "No test ran: that is a failure, not a pass." >&2
    status=1
fi
exit $status
