"""Prints the gaps from each Stopped event to the next Started event in `virsh event --timestamp` output."""
import datetime
import statistics
import sys

stopped = None
gaps = []
for line in open(sys.argv[1]):
    # 2026-11-22 00:30:01.123+0000: event 'lifecycle' for domain 'x': Stopped Shutdown
    stamp = datetime.datetime.strptime(line[:28], "%Y-%m-%d %H:%M:%S.%f%z")
    if "': Stopped" in line:
        stopped = stamp
    elif "': Started" in line and stopped is not None:
        gaps.append((stamp - stopped).total_seconds())
        stopped = None
if not gaps:
    sys.exit("no Stopped -> Started pair seen")
gaps.sort()
print(f"Stopped -> Started gap over {len(gaps)} cycles: median={statistics.median(gaps):.3f} s  "
      f"p90={gaps[int(0.9 * (len(gaps) - 1))]:.3f} s  worst={gaps[-1]:.3f} s  best={gaps[0]:.3f} s")
