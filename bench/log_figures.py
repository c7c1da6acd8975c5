"""Summarises hooks.log: how long the release hook and the restart worker took.

Reads `libvirt-hook log --json` on stdin: lines come through the log's own catalogue, so a
change of format there cannot silently break these figures."""
import json
import statistics
import sys

def figures(label, values):
    if not values:
        print(f"{label}: none")
        return
    values.sort()
    print(f"{label:<44} n={len(values):<3} median={statistics.median(values):5.0f} ms  max={values[-1]:5.0f} ms")

prepare, release, waited, start, outcomes = [], [], [], [], {}
for text in sys.stdin:
    line = json.loads(text)
    if line["op"] == "prepare" and line.get("outcome") == "ok":
        prepare.append(line["ms"])
    if line["op"] == "release" and line.get("outcome") == "ok":
        release.append(line["ms"])
    if line["op"] == "restart" and "outcome" in line:
        outcomes[line["outcome"]] = outcomes.get(line["outcome"], 0) + 1
        if line["outcome"] == "started":
            waited.append(line["waited-ms"])
            start.append(line["start-ms"])
figures("prepare hook (overlay made)", prepare)
figures("release hook (hand-off included)", release)
figures("worker: spawn until it saw 'shut off'", waited)
figures("worker: virsh start", start)
print("worker outcomes:", ", ".join(f"{k}={v}" for k, v in sorted(outcomes.items())))
