"""Prints the gaps from each Stopped event to the next Started event in `virsh event --timestamp` output.

    event_gaps.py EVENTS            one run
    event_gaps.py FLOOR HOOK        a plain `virsh start` run beside the hook's, and the difference
"""
import datetime
import statistics
import sys


def gaps(path):
    stopped = None
    found = []
    for line in open(path):
        # 2026-11-22 00:30:01.123+0000: event 'lifecycle' for domain 'x': Stopped Shutdown
        # (and, once virsh is stopped, "events received: N")
        if ": event '" not in line:
            stopped = None  # the end of a phase, or virsh's "events received: N"
            continue
        stamp = datetime.datetime.strptime(line[:28], "%Y-%m-%d %H:%M:%S.%f%z")
        if "': Stopped" in line:
            stopped = stamp
        elif "': Started" in line and stopped is not None:
            found.append((stamp - stopped).total_seconds())
            stopped = None
    if not found:
        sys.exit(f"no Stopped -> Started pair in {path}")
    return sorted(found)


def describe(label, values):
    print(f"{label}Stopped -> Started gap over {len(values)} cycles: median={statistics.median(values):.3f} s  "
          f"p90={values[int(0.9 * (len(values) - 1))]:.3f} s  worst={values[-1]:.3f} s  best={values[0]:.3f} s")


if len(sys.argv) == 2:
    describe("", gaps(sys.argv[1]))
else:
    floor, hook = gaps(sys.argv[1]), gaps(sys.argv[2])
    describe("floor (plain virsh start): ", floor)
    describe("hook (restart worker):     ", hook)
    print(f"hook - floor: median {statistics.median(hook) - statistics.median(floor):+.3f} s")
