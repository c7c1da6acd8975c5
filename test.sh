#!/usr/bin/env bash
# Builds the NativeAOT hook and runs the unit and end-to-end suites.
# The end-to-end suite needs root, libvirt, QEMU and nasm (see README); it starts its own
# libvirtd in a private mount namespace and never touches the host's.
set -euo pipefail
cd "$(dirname "$0")"

dotnet publish src/LibvirtHook/LibvirtHook.csproj -c Release -r linux-x64 -o artifacts/hook -nologo -v quiet
# The same code with kill points between its steps, for the fault-injection specs only.
dotnet publish src/LibvirtHook/LibvirtHook.csproj -c FaultInjection -r linux-x64 -o artifacts/hook-faults -nologo -v quiet
dotnet build LibvirtHook.sln -c Release -nologo -v quiet

mkdir -p artifacts/test-logs
status=0
for suite in LibvirtHook.Tests LibvirtHook.EndToEnd; do
    dotnet test "tests/$suite" -c Release --no-build -nologo 2>&1 | tee "artifacts/test-logs/$suite.log" || status=1
done

# One closing line for both suites.
passed=$(grep -hoE 'Passed: +[0-9]+' artifacts/test-logs/*.log | awk '{s+=$2} END {print s+0}')
failed=$(grep -hoE 'Failed: +[0-9]+' artifacts/test-logs/*.log | awk '{s+=$2} END {print s+0}')
echo "$passed passed, $failed failed"
if [ "$passed" -eq 0 ]; then
    echo "No test ran: that is a failure, not a pass." >&2
    status=1
fi
exit $status
