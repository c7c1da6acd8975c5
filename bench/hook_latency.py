"""Times hook events; called by hook-latency.sh inside a private mount namespace."""
import os
import statistics
import subprocess
import sys
import tempfile
import time

import hookbench

binary, floor_build, iterations = sys.argv[1], sys.argv[2], int(sys.argv[3])
# Another build of the hook (an older commit) timed in the same run, for a before/after figure.
baseline_build = sys.argv[4] if len(sys.argv) > 4 else ""
# The floor runs under the hook's own name, "qemu", as the hook does.
floor = "/etc/libvirt/hooks/floor/qemu"
os.makedirs(os.path.dirname(floor), exist_ok=True)
subprocess.run(["install", "-m", "0755", floor_build, floor], check=True)
baseline = "/etc/libvirt/hooks/baseline/qemu"
if baseline_build:
    os.makedirs(os.path.dirname(baseline), exist_ok=True)
    subprocess.run(["install", "-m", "0755", baseline_build, baseline], check=True)
work = tempfile.mkdtemp(prefix="hook-bench-")
os.chmod(work, 0o755)
image = os.path.join(work, "bench.qcow2")
subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", image, "64M"], check=True)
# Some real data in the base, so qemu-img has a real image to look at.
subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -q -P 0x5a 0 16M", image], check=True)

def call(name, op, extra="-", program=None):
    return hookbench.call(program or binary, name, op, image, extra)

def qemu_img_only():
    return hookbench.qemu_img_only(image)

def interleaved(runs, count):
    """Runs each (label, run) in turn, count rounds, so drift on this shared machine hits all alike."""
    samples = {label: [] for label, _ in runs}
    for _ in range(count):
        for label, run in runs:
            samples[label].append(run())
    medians = {}
    for label, values in samples.items():
        values.sort()
        medians[label] = statistics.median(values)
        print(f"{label:<52} n={count:<4} median={medians[label]:7.2f} ms  "
              f"p90={values[int(0.9 * (count - 1))]:7.2f} ms  max={values[-1]:7.2f} ms")
    return medians

hookbench.write_config("managed", '{"disks": [{"target": "vda", "one-shot-commit": false}]}')

call("unmanaged", "prepare")  # warm the page cache
call("unmanaged", "prepare", program=floor)
print(f"hook binary: {binary}")
FLOOR = "floor: NativeAOT Main returns 0, same build"
UNMANAGED = "unmanaged VM, one event (prepare)"
unmanaged = interleaved([
    ("reference: /bin/true, same argv and stdin", lambda: call("unmanaged", "prepare", program="/bin/true")),
    (FLOOR, lambda: call("unmanaged", "prepare", program=floor)),
    (UNMANAGED, lambda: call("unmanaged", "prepare")),
    ("unmanaged VM, one event (release)", lambda: call("unmanaged", "release")),
], iterations)
MANAGED = "managed VM, 64 MiB qcow2: prepare + release"
QEMU_IMG = "reference: qemu-img info + create alone"
BASELINE = "baseline build, same VM: prepare + release"
managed = interleaved([
    (MANAGED, lambda: call("managed", "prepare") + call("managed", "release")),
    (QEMU_IMG, qemu_img_only),
] + ([(BASELINE, lambda: call("managed", "prepare", program=baseline) + call("managed", "release", program=baseline))] if baseline_build else []),
   max(20, iterations // 4))
print(f"unmanaged event / floor: {unmanaged[UNMANAGED] / unmanaged[FLOOR]:.2f}x (goal: at most 1.3x)")
print(f"managed prepare + release - qemu-img alone: {managed[MANAGED] - managed[QEMU_IMG]:+.1f} ms (goal: at most 10 ms)")
if baseline_build:
    print(f"managed prepare + release, this build - baseline ({baseline_build}): {managed[MANAGED] - managed[BASELINE]:+.2f} ms")
leftovers = sorted(os.listdir(work))
print(f"files left beside the image: {leftovers}")

# What the hook process itself loads for a managed prepare and release (its children, qemu-img
# and the discard worker, are other processes): OpenSSL alone once cost 7-8 ms of CPU a prepare,
# pulled in by .NET's RandomNumberGenerator for a temp file's name.
for op in ("prepare", "release"):
    traced = subprocess.run([binary, "managed", op, "begin", "-"], input=hookbench.domain_xml("managed", image),
                            capture_output=True, env=dict(os.environ, LD_DEBUG="libs"))
    lines = traced.stderr.decode(errors="replace").splitlines()
    own = lines[0].split(":", 1)[0].strip() if lines else ""
    loaded = sorted({l.split("calling init:", 1)[1].strip() for l in lines
                     if l.split(":", 1)[0].strip() == own and "calling init:" in l})
    crypto = [name for name in loaded if "libssl" in name or "libcrypto" in name]
    print(f"managed {op}: the hook process loads {len(loaded)} shared objects; OpenSSL: {'yes ' + str(crypto) if crypto else 'no'}")
