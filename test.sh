#!/usr/bin/env bash
# Builds the NativeAOT hook, runs the unit suite, the end-to-end suite once per libvirt, then the
# package specs (the .deb installed with apt into Debian 12 and 13 roots). End-to-end legs:
#   host    the host's libvirt (Debian 12: libvirt 9.0, QEMU 7.2)
#   trixie  libvirt 11.3 and QEMU 10.0 from a Debian 13 root that scripts/debian-root.sh builds
#           once (about 3 minutes) and reuses
#
#   sudo ./test.sh                 both legs
#   sudo ./test.sh --leg host      one leg only (or LIBVIRT_HOOK_LEG=host|trixie)
#
# The end-to-end suite needs root, libvirt, QEMU and nasm (see README); each leg starts its own
# libvirtd in a private mount and pid namespace and never touches the host's.
set -euo pipefail
cd "$(dirname "$0")"

legs="${LIBVIRT_HOOK_LEG:-host trixie}"
while [ $# -gt 0 ]; do
    case "$1" in
        --leg) legs="${2:?--leg needs host or trixie}"; shift 2 ;;
        *) echo "test.sh: unknown argument \"$1\"; use --leg host or --leg trixie" >&2; exit 2 ;;
    esac
done
for leg in $legs; do
    case "$leg" in
        host | trixie) ;;
        *) echo "test.sh: unknown leg \"$leg\"; the legs are host and trixie" >&2; exit 2 ;;
    esac
done

# ---- Debian packages the suites need: as root on a system with apt, the missing ones are
# installed (and named); elsewhere the suites below fail loudly, saying what is missing.
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    source scripts/debian-packages.sh
    # gcc and zlib1g-dev: the NativeAOT compiler links with them.
    ensure_debian_packages gcc zlib1g-dev libvirt-daemon-system libvirt-clients qemu-system-x86 \
        qemu-utils nasm util-linux attr python3-prometheus-client debootstrap dpkg-dev lintian \
        e2fsprogs cpio xz-utils apparmor
    # The fleet specs (issue 18): PrometheusSpecs start their own prometheus and node_exporter on
    # 127.0.0.1; tests/package/ansible.sh runs ansible and ansible-lint. The packages' own services
    # would listen on every address: a policy-rc.d (if there is none) keeps them from starting.
    policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\n# test.sh: no service starts while it installs packages\nexit 101\n' > "$policy"
        chmod 0755 "$policy"
    fi
    ensure_debian_packages prometheus prometheus-node-exporter ansible ansible-lint || { [ -z "$policy" ] || rm -f "$policy"; exit 1; }
    [ -z "$policy" ] || rm -f "$policy"
fi
# ----

timings=()
timed() { # timed LABEL COMMAND...: runs COMMAND and remembers how long it took
    # Its own variable is rc: run_suite and package_specs add to test.sh's global failures, and
    # a local named like one of test.sh's globals would shadow it.
    local label="$1" start=$SECONDS rc=0
    shift
    "$@" || rc=$?
    timings+=("$label: $((SECONDS - start)) s")
    return $rc
}

timed "build" bash -c '
    set -euo pipefail
    dotnet publish src/LibvirtHook/LibvirtHook.csproj -c Release -r linux-x64 -o artifacts/hook -nologo -v quiet
    # The same code with kill points between its steps, for the fault-injection specs only.
    dotnet publish src/LibvirtHook/LibvirtHook.csproj -c FaultInjection -r linux-x64 -o artifacts/hook-faults -nologo -v quiet
    dotnet build LibvirtHook.sln -c Release -nologo -v quiet'

mkdir -p artifacts/test-logs
rm -f artifacts/test-logs/*.log
failures=() # the suites (and legs) that failed or reported no result: any makes the exit non-zero

# run_suite LOG PROJECT: one dotnet test run, its output kept for the closing count.
run_suite() {
    local log="artifacts/test-logs/$1.log"
    dotnet test "tests/$2" -c Release --no-build -nologo 2>&1 | tee "$log" || failures+=("$1")
    if ! grep -qE 'Passed: +[0-9]+|Failed: +[0-9]+' "$log"; then
        echo "test.sh: $1 reported no result at all: that is a failure, not a pass." >&2
        failures+=("$1 (no result)")
    fi
}

timed "unit suite" run_suite LibvirtHook.Tests LibvirtHook.Tests

for leg in $legs; do
    root=""
    if [ "$leg" = trixie ]; then
        start=$SECONDS
        if ! root=$(scripts/debian-root.sh trixie); then
            echo "THE END-TO-END SUITE CANNOT RUN: scripts/debian-root.sh could not build the trixie root (libvirt 11.3); see above." >&2
            failures+=("LibvirtHook.EndToEnd.trixie (no trixie root)")
            continue
        fi
        timings+=("trixie root (built once, then reused): $((SECONDS - start)) s")
    fi
    echo "== end-to-end suite, leg $leg: ${root:-host libvirt} =="
    export LIBVIRT_HOOK_E2E_ROOT="$root"
    timed "end-to-end suite, leg $leg" run_suite "LibvirtHook.EndToEnd.$leg" LibvirtHook.EndToEnd
done
unset LIBVIRT_HOOK_E2E_ROOT

# ---- The Debian package: built from the binary above, linted, installed with apt into throwaway
# Debian 12 and 13 roots, used there by a private libvirtd, upgraded, removed, purged.
package_specs() {
    { ./package.sh --binary artifacts/hook/libvirt-hook && tests/package/run.sh; } 2>&1 | tee artifacts/test-logs/package.log || failures+=("package specs")
    grep -qE '^[0-9]+ passed, [0-9]+ failed$' artifacts/test-logs/package.log || failures+=("package specs (no result)")
    return 0
}
timed "package specs" package_specs
# ----

printf '%s\n' "${timings[@]}"
# One closing line for every suite and leg.
passed=$(grep -hoE 'Passed: +[0-9]+' artifacts/test-logs/*.log | awk '{s+=$2} END {print s+0}' || true)
failed=$(grep -hoE 'Failed: +[0-9]+' artifacts/test-logs/*.log | awk '{s+=$2} END {print s+0}' || true)
package=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' artifacts/test-logs/package.log | tail -n 1 || true)
passed=$((passed + $(sed -nE 's/^([0-9]+) passed, [0-9]+ failed$/\1/p' <<<"${package:-0 passed, 0 failed}")))
failed=$((failed + $(sed -nE 's/^[0-9]+ passed, ([0-9]+) failed$/\1/p' <<<"${package:-0 passed, 0 failed}")))
if [ "$passed" -eq 0 ]; then
    echo "No test ran: that is a failure, not a pass." >&2
    failures+=("all (no test ran)")
fi
[ ${#failures[@]} -eq 0 ] || echo "Failed: $(printf '%s; ' "${failures[@]}")" >&2
echo "$passed passed, $failed failed"
[ ${#failures[@]} -eq 0 ] || exit 1
