"""Summarises hooks.log: how long the release hook and the restart worker took."""
import re
import statistics
import sys

def figures(label, values):
    if not values:
        print(f"{label}: none")
        return
    values.sort()
    print(f"{label:<44} n={len(values):<3} median={statistics.median(values):5.0f} ms  max={values[-1]:5.0f} ms")

release, waited, start, outcomes = [], [], [], {}
for line in open(sys.argv[1]):
    if "op=release outcome=ok" in line:
        release.append(int(re.search(r" ms=(\d+)", line).group(1)))
    if "op=restart outcome=" in line:
        outcome = re.search(r"outcome=([a-z-]+)", line).group(1)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcome == "started":
            waited.append(int(re.search(r"waited-ms=(\d+)", line).group(1)))
            start.append(int(re.search(r"start-ms=(\d+)", line).group(1)))
figures("release hook (hand-off included)", release)
figures("worker: spawn until it saw 'shut off'", waited)
figures("worker: virsh start", start)
print("worker outcomes:", ", ".join(f"{k}={v}" for k, v in sorted(outcomes.items())))
