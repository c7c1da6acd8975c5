"""Times release against overlay size; called by release-size.sh inside a private mount namespace."""
import os
import statistics
import subprocess
import sys
import time

import hookbench

hook, work, rounds, sizes = sys.argv[1], sys.argv[2], int(sys.argv[3]), [int(s) for s in sys.argv[4:]]
image = os.path.join(work, "vm.qcow2")
discard = image + ".stateless-discard"
subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", image, f"{max(sizes) + 64}M"], check=True)
hookbench.write_config("vm", '{"disks": [{"target": "vda"}]}')


def call(op, extra="-"):
    return hookbench.call(hook, "vm", op, image, extra)


def fill(path, mib):
    """Writes the way a guest would: through qcow2, so the overlay gets real allocated clusters."""
    # One qemu-io request stays under its 2 GiB limit: 256 MiB each.
    requests = [arg for offset in range(0, mib, 256) for arg in ("-c", f"write -q -P 0x5a {offset}M {min(256, mib - offset)}M")]
    if requests:
        subprocess.run(["qemu-io", "-f", "qcow2", *requests, path], check=True)
    subprocess.run(["sync", "-f", path], check=True)


def hook_release(mib):
    call("prepare")
    fill(image, mib)
    elapsed = call("release", "shutdown")
    started = time.perf_counter()
    while os.path.exists(discard):
        time.sleep(0.001)
    return elapsed, (time.perf_counter() - started) * 1000


def rename_over(mib):
    """What release did before: rename(2) of the base over the filled overlay, then a directory fsync."""
    base, overlay = os.path.join(work, "ref.base"), os.path.join(work, "ref.qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", overlay, f"{max(sizes) + 64}M"], check=True)
    fill(overlay, mib)
    with open(base, "wb") as f:
        f.write(b"base")
    started = time.perf_counter()
    os.rename(base, overlay)
    directory = os.open(work, os.O_RDONLY | os.O_DIRECTORY)
    os.fsync(directory)
    os.close(directory)
    elapsed = (time.perf_counter() - started) * 1000
    os.unlink(overlay)
    return elapsed


call("prepare")  # warm the page cache
call("release")
print(f"hook binary: {hook}; images in {work} ({subprocess.run(['df', '--output=fstype', work], capture_output=True, text=True).stdout.split()[-1]})")
print(f"{'written':>9}  {'hook release':>13}  {'rename over it':>15}  {'discard name gone':>18}   (medians of {rounds})")
for mib in sizes:
    released, worker, reference = [], [], []
    for _ in range(rounds):
        h, w = hook_release(mib)
        released.append(h)
        worker.append(w)
        reference.append(rename_over(mib))
    print(f"{mib:>5} MiB  {statistics.median(released):>10.1f} ms  {statistics.median(reference):>12.1f} ms  "
          f"{statistics.median(worker):>15.1f} ms")
leftovers = sorted(os.listdir(work))
print(f"files left beside the image: {leftovers}")
