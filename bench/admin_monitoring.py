"""Times the admin command's monitoring verbs.

    python3 bench/admin_monitoring.py BINARY RUNS [BASELINE]

With BASELINE (another build of the binary, e.g. an older commit's), both are run interleaved on
the same host state, their medians compared, and their outputs too: status --json, status, check
and metrics must be byte for byte the same (metrics less its own duration and the free space,
which the running guests change between two runs).
"""
import difflib
import statistics
import subprocess
import sys
import time

binary, runs = sys.argv[1], int(sys.argv[2])
baseline = sys.argv[3] if len(sys.argv) > 3 else None
builds = [("this build", binary)] + ([("baseline", baseline)] if baseline else [])


def timed(program, args):
    start = time.perf_counter()
    subprocess.run([program, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - start) * 1000


medians = {}
for args in (["check"], ["metrics"], ["status"]):
    times = {label: [] for label, _ in builds}
    for _ in range(runs):
        for label, program in builds:
            times[label].append(timed(program, args))
    for label, _ in builds:
        t = sorted(times[label])
        medians[(args[0], label)] = statistics.median(t)
        print(f"{args[0]:8} {label:10} x{runs:<3} median {statistics.median(t):6.1f} ms   p95 {t[int(0.95 * (runs - 1))]:6.1f} ms   max {t[-1]:6.1f} ms")
    if baseline:
        print(f"{args[0]:8} this build - baseline: {medians[(args[0], 'this build')] - medians[(args[0], 'baseline')]:+.1f} ms")

if baseline:
    different = 0
    for args in (["status", "--json"], ["status"], ["check"], ["metrics"]):
        outputs = []
        for _, program in builds:
            text = subprocess.run([program, *args], capture_output=True, text=True, check=False).stdout
            outputs.append([l for l in text.splitlines(keepends=True) if not l.startswith(("libvirt_hook_metrics_duration_seconds ", "libvirt_hook_filesystem_avail_bytes{"))])
        same = outputs[0] == outputs[1]
        different += not same
        print(f"output of {' '.join(args)}: {'identical' if same else 'DIFFERENT'} ({sum(map(len, outputs[0]))} bytes)")
        if not same:
            sys.stdout.writelines(difflib.unified_diff(outputs[1], outputs[0], "baseline", "this build", n=1))
    sys.exit(1 if different else 0)
