# Sourced by bench/ and demo scripts: a private libvirtd for throwaway VMs.
# Call private_libvirtd_start only inside `unshare --mount --propagation private`: it mounts
# tmpfs over every libvirt directory, so the host's libvirt is neither seen nor touched.
# Needs: HOOK_BINARY (the AOT hook to install as /etc/libvirt/hooks/qemu).

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
    source="$(dirname "${BASH_SOURCE[0]}")/../tests/LibvirtHook.EndToEnd/Guest/counter.asm"
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
