"""Compares link variants of the hook; called by startup-variants.sh in a private mount namespace.

Arguments: ITERATIONS NAME:BINARY:FLOOR_NAME ...  (a floor is a variant whose FLOOR_NAME is itself)
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import hookbench

iterations = int(sys.argv[1])
variants = [spec.split(":") for spec in sys.argv[2:]]
work = tempfile.mkdtemp(prefix="startup-variants-")
os.chmod(work, 0o755)
image = os.path.join(work, "bench.qcow2")
subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", image, "64M"], check=True)
subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -q -P 0x5a 0 16M", image], check=True)
hookbench.write_config("managed", '{"disks": [{"target": "vda", "one-shot-commit": false}]}')

def domain_xml(name):
    return hookbench.domain_xml(name, image)

# Each binary is installed under the name "qemu", as libvirt runs the hook.
installed = {}
for name, binary, _ in variants:
    directory = f"/etc/libvirt/hooks/variants/{name}"
    os.makedirs(directory)
    shutil.copy(binary, directory + "/qemu")
    installed[name] = directory + "/qemu"

def call(program, name, op):
    return hookbench.call(program, name, op, image)

def qemu_img_only():
    return hookbench.qemu_img_only(image)

def relative_relocations(program):
    result = subprocess.run([program, "unmanaged", "prepare", "begin", "-"], input=domain_xml("unmanaged"),
                            capture_output=True, env={**os.environ, "LD_DEBUG": "statistics"})
    count = int(re.search(rb"number of relative relocations: (\d+)", result.stderr).group(1))
    # DT_RELR entries are applied too but not counted by LD_DEBUG: report them from the header.
    dynamic = subprocess.run(["readelf", "-dW", program], capture_output=True, text=True).stdout
    packed = re.search(r"\(RELRSZ\)\s+(\d+)", dynamic)
    return f"{count}" + (f" + RELR {int(packed.group(1)) // 8} words" if packed else "")

def instructions(program):
    if shutil.which("valgrind") is None:
        return "-"
    result = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", program,
                             "unmanaged", "prepare", "begin", "-"], input=domain_xml("unmanaged"), capture_output=True)
    return re.search(rb"Collected : (\d+)", result.stderr).group(1).decode()

def page_faults(program):
    faults = []
    for _ in range(5):
        result = subprocess.run(["/usr/bin/time", "-f", "%R", program, "unmanaged", "prepare", "begin", "-"],
                                input=domain_xml("unmanaged"), capture_output=True)
        faults.append(int(result.stderr.split()[-1]))
    return statistics.median(faults)

def summary(values):
    values = sorted(values)
    return statistics.median(values), values[int(0.9 * (len(values) - 1))]

for program in installed.values():
    call(program, "unmanaged", "prepare")  # warm the page cache
# Interleaved, each round in a rotated order, so drift on this shared machine hits all alike.
unmanaged = {name: [] for name in installed}
for round_ in range(iterations):
    order = list(installed.items())
    order = order[round_ % len(order):] + order[:round_ % len(order)]
    for name, program in order:
        unmanaged[name].append(call(program, "unmanaged", "prepare"))
hooks = {name: program for name, program in installed.items() if not name.startswith("floor")}
managed = {name: [] for name in [*hooks, "qemu-img"]}
for _ in range(max(20, iterations // 6)):
    for name, program in hooks.items():
        managed[name].append(call(program, "managed", "prepare") + call(program, "managed", "release"))
    managed["qemu-img"].append(qemu_img_only())

qemu_img = summary(managed["qemu-img"])[0]
print(f"{iterations} interleaved unmanaged events per variant, {len(managed['qemu-img'])} managed prepare + release; "
      f"qemu-img info + create alone: median {qemu_img:.2f} ms")
print(f"{'variant':<18} {'unmanaged':>9} {'p90':>6} {'floor':>6} {'ratio':>5} {'managed':>8} {'-qemu-img':>9} "
      f"{'instructions':>12} {'faults':>6} {'size MB':>7}  relative relocations")
for name, _, floor in variants:
    median, p90 = summary(unmanaged[name])
    floor_median = summary(unmanaged[floor])[0]
    line = f"{name:<18} {median:9.2f} {p90:6.2f} {floor_median:6.2f} {median / floor_median:5.2f}"
    if name in hooks:
        managed_median = summary(managed[name])[0]
        line += f" {managed_median:8.2f} {managed_median - qemu_img:+9.2f}"
    else:
        line += f" {'':>8} {'':>9}"
    program = installed[name]
    line += f" {instructions(program):>12} {page_faults(program):6.0f} {os.path.getsize(program) / 1e6:7.2f}  {relative_relocations(program)}"
    print(line, flush=True)
