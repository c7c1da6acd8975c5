"""Times the admin command's monitoring verbs: python3 bench/admin_monitoring.py BINARY RUNS."""
import statistics
import subprocess
import sys
import time

binary, runs = sys.argv[1], int(sys.argv[2])
for args, n in ((["check"], runs), (["metrics"], runs), (["status"], 3)):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        subprocess.run([binary, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    label = " ".join(args)
    print(f"{label:8} x{n:<3} median {statistics.median(times):6.1f} ms   p95 {times[int(0.95 * (n - 1))]:6.1f} ms   max {times[-1]:6.1f} ms")
