# Sourced by bench/ and demo/ scripts: a private libvirtd for throwaway VMs.
#
# On the host:
#   private_libvirt_root LIBVIRT       prints the root to run: "" for "host" (the host's libvirt),
#                                      the trixie root (scripts/debian-root.sh builds it once) for
#                                      "trixie", or LIBVIRT itself when it is a root directory.
#   private_libvirt_run ROOT WORK COMMAND...
#                                      runs COMMAND in a new mount and pid namespace
#                                      (scripts/libvirt-namespace.sh) whose `/` is ROOT (or the
#                                      host's), in the repository, with the repository and WORK
#                                      at their own paths. Everything it starts dies with it.
# Inside that namespace:
#   private_libvirtd_start             tmpfs over every libvirt directory (the host's libvirt is
#                                      neither seen nor touched), HOOK_BINARY installed as
#                                      /etc/libvirt/hooks/qemu, virtlogd and libvirtd started.
#   private_libvirtd_stop              destroys the VMs and stops the daemons.
# tiny_guest_disk needs nasm and qemu-img: call it on the host (the roots have no nasm).

private_libvirt_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

private_libvirt_root() {
    case "$1" in
        host) echo "" ;;
        trixie) "$private_libvirt_repo/scripts/debian-root.sh" trixie ;;
        /*) echo "$1" ;;
        *) echo "private_libvirt_root: \"$1\" is neither host, trixie nor a root directory" >&2; return 1 ;;
    esac
}

private_libvirt_run() {
    local root="$1" work="$2"
    shift 2
    local options=()
    [ -z "$root" ] || options=(--root "$root" --share "$private_libvirt_repo" --share "$work")
    "$private_libvirt_repo/scripts/libvirt-namespace.sh" "${options[@]}" -- \
        bash -c 'cd "$0" && exec "$@"' "$private_libvirt_repo" "$@"
}

private_libvirtd_start() {
    local dir
    for dir in /etc/libvirt/hooks /etc/libvirt/qemu /var/log/libvirt /run/libvirt /var/lib/libvirt /var/cache/libvirt; do
        mkdir -p "$dir"
        mount -t tmpfs -o mode=0755 tmpfs "$dir"
    done
    install -d -m 0755 /etc/libvirt/hooks/config /var/log/libvirt/qemu
    install -m 0755 "$HOOK_BINARY" /etc/libvirt/hooks/qemu
    virtlogd -d -p /run/libvirt/virtlogd.pid
    libvirtd -d -p /run/libvirt/libvirtd.pid
    local tries=0
    until virsh -q -c qemu:///system list >/dev/null 2>&1; do
        tries=$((tries + 1))
        [ "$tries" -lt 100 ] || { echo "private libvirtd did not answer" >&2; return 1; }
        sleep 0.1
    done
}

# private_libvirtd_version: one line naming the daemon, libvirt and QEMU that run.
private_libvirtd_version() {
    virsh -q -c qemu:///system version --daemon | awk -F': ' '
        /Running hypervisor/ { split($2, h, " "); qemu = h[2] }
        /Running against daemon/ { split($2, d, " "); daemon = d[1] }
        END { printf "libvirtd %s, QEMU %s\n", daemon, qemu }'
}

private_libvirtd_stop() {
    local name
    for name in $(virsh -q -c qemu:///system list --name 2>/dev/null); do
        virsh -q -c qemu:///system destroy "$name" >/dev/null 2>&1 || true
    done
    kill "$(cat /run/libvirt/libvirtd.pid)" "$(cat /run/libvirt/virtlogd.pid)" 2>/dev/null || true
}

# tiny_guest_disk ENDING PATH: the test guest (END_HALT, END_POWEROFF or END_RESET) as a qcow2 boot disk.
tiny_guest_disk() {
    local ending="$1" path="$2" source
    source="$private_libvirt_repo/tests/LibvirtHook.EndToEnd/Guest/counter.asm"
    nasm -f bin -D"$ending" -o "$path.bin" "$source"
    truncate -s 1M "$path.bin"
    qemu-img convert -q -f raw -O qcow2 "$path.bin" "$path"
    rm -f "$path.bin"
}

# tiny_guest_xml NAME DISK SERIAL_LOG: a TCG domain with on_reboot/on_poweroff = destroy.
tiny_guest_xml() {
    cat <<XML
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>16</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot><on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$2'/>
      <target dev='hda' bus='ide'/>
    </disk>
    <serial type='file'><source path='$3' append='on'/><target port='0'/></serial>
    <video><model type='none'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
XML
}
