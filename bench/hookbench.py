"""What the hook benches share: a VM's config and domain XML, one timed hook call, qemu-img alone."""
import os
import subprocess
import sys
import time

UUID = "3b1a0e4e-1f57-4d7a-9a44-2d1c3b9f0a11"


def write_config(name, text):
    """The VM's config where the hook reads it (a tmpfs in the bench's private mount namespace)."""
    os.makedirs("/etc/libvirt/hooks/config", exist_ok=True)
    with open(f"/etc/libvirt/hooks/config/{name}.json", "w") as config:
        config.write(text)


def domain_xml(name, image):
    return f"""<domain type='qemu'><name>{name}</name><uuid>{UUID}</uuid>
<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
<source file='{image}'/><target dev='vda' bus='virtio'/></disk></devices></domain>""".encode()


def call(program, name, op, image, extra="-"):
    """Runs the hook as libvirtd does (argv, domain XML on stdin); its wall time in ms. Stops the bench if it fails or writes to stdout."""
    started = time.perf_counter()
    result = subprocess.run([program, name, op, "begin", extra], input=domain_xml(name, image), capture_output=True)
    elapsed = (time.perf_counter() - started) * 1000
    if result.returncode != 0 or result.stdout:
        sys.exit(f"{program} failed: {op} exit={result.returncode} stdout={result.stdout!r} stderr={result.stderr!r}")
    return elapsed


def qemu_img_only(image):
    """What prepare's own qemu-img work costs alone: info on the image, create an overlay on it."""
    overlay = image + ".bench-overlay"
    started = time.perf_counter()
    subprocess.run(["qemu-img", "info", "--output=json", image], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", image, overlay], check=True)
    elapsed = (time.perf_counter() - started) * 1000
    os.unlink(overlay)
    return elapsed
