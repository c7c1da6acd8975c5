#!/usr/bin/env bash
# linux-guest.sh [DIR]: a real Linux guest for the end-to-end suite, built from Debian packages
# only: the kernel that bookworm's linux-image-amd64 depends on, and busybox-static. Nothing is
# installed on the host: `apt-get download` + `dpkg-deb -x` into a temp directory. Writes to DIR
# (default /var/cache/libvirt-hook-tests/linux-guest), once, and reuses it while its marker says
# it was built by this very script; prints DIR.
#
#   DIR/vmlinux        the kernel as an ELF (unpacked from the bzImage: it boots about twice as
#                      fast under TCG, which otherwise spends seconds decompressing itself)
#   DIR/initramfs.cpio busybox, the modules /init needs and /init (below)
#   DIR/kernel-version the Debian package the kernel came from
#
# /init counts its boots in /boots on the ext2 file system on /dev/vda, writes one file per
# session (s<boot>-<id>, holding a random id), prints `GUEST boot=N session=ID files=...` on
# ttyS0, then does what `lhg=` on the kernel command line says:
#   reboot    reboot -f (a guest reset: with on_reboot=destroy libvirt stops the VM)
#   poweroff  poweroff -f
#   acpi      prints `GUEST ready`, waits for the ACPI power button, then syncs, unmounts and
#             powers off (what a real OS does on `virsh shutdown`)
#   fill      writes zeroes until the disk is full, prints `GUEST filled-kib=N`, then as acpi
#   probe     prints `GUEST probe ok` once its modules are loaded and powers off, before it
#             looks for a disk (the test set-up's KVM probe)
set -euo pipefail

dir="${1:-/var/cache/libvirt-hook-tests/linux-guest}"
marker="$dir/.libvirt-hook-linux-guest"
want="$(sha256sum "$0" | cut -d' ' -f1)"

if [ -f "$marker" ] && [ "$(cat "$marker")" = "$want" ]; then
    echo "$dir"
    exit 0
fi

[ "$(id -u)" -eq 0 ] || { echo "linux-guest.sh: needs root (to write $dir)" >&2; exit 1; }
mkdir -p "$(dirname "$dir")"
# Two test runs may build at once: one builds, the other waits and reuses.
exec 9>"$dir.lock"
flock 9
if [ -f "$marker" ] && [ "$(cat "$marker")" = "$want" ]; then
    echo "$dir"
    exit 0
fi

start=$(date +%s)
work="$(mktemp -d "$dir.building.XXXXXX")"
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"

kernel_package="$(apt-cache depends linux-image-amd64 | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ {print $2; exit}')"
[ -n "$kernel_package" ] || { echo "linux-guest.sh: apt-cache knows no linux-image-amd64 (run apt-get update)" >&2; exit 1; }
echo "linux-guest.sh: building a Linux guest from $kernel_package and busybox-static in $dir (once)" >&2

mkdir "$work/debs"
# apt drops privileges to _apt for downloads; let it write there.
if id _apt >/dev/null 2>&1; then chown _apt "$work/debs"; fi
(cd "$work/debs" && apt-get download -q=2 "$kernel_package" busybox-static)
dpkg-deb -x "$work"/debs/linux-image-*.deb "$work/kernel"
dpkg-deb -x "$work"/debs/busybox-static_*.deb "$work/busybox"
busybox="$work/busybox/bin/busybox"

vmlinuz="$(echo "$work"/kernel/boot/vmlinuz-*)"
release="${vmlinuz##*/vmlinuz-}"
modules="$work/kernel/lib/modules/$release"

# extract-vmlinux, with Debian's tools: find the compressed payload's magic in the bzImage and
# decompress from there (the decompressor stops at the payload's end and complains about the
# bytes after it). The result must be an ELF file, or the bzImage is used as it is.
unpack_vmlinux() {
    local magic tool offset
    for pair in '\xfd\x37\x7a\x58\x5a\x00:xz -dc' '\x28\xb5\x2f\xfd:zstd -dcq' '\x1f\x8b\x08:gzip -dc'; do
        magic="${pair%%:*}" tool="${pair#*:}"
        command -v "${tool%% *}" >/dev/null || continue
        for offset in $(LC_ALL=C grep -obUaP "$magic" "$vmlinuz" | cut -d: -f1 | head -5); do
            tail -c "+$((offset + 1))" "$vmlinuz" | $tool > "$work/vmlinux" 2>/dev/null || true
            if [ "$(head -c 4 "$work/vmlinux" | od -An -tx1 | tr -d ' \n')" = "7f454c46" ]; then
                return 0
            fi
        done
    done
    return 1
}
mkdir -p "$work/out"
if unpack_vmlinux; then
    mv "$work/vmlinux" "$work/out/vmlinux"
else
    echo "linux-guest.sh: could not unpack an ELF vmlinux from $vmlinuz; using the bzImage (slower under TCG)" >&2
    cp "$vmlinuz" "$work/out/vmlinux"
fi

# The modules /init loads, each after what its modinfo depends= names. ext4 mounts the ext2 file
# system; it asks the crypto API for crc32c when it mounts (its softdep=), hence crc32c_generic.
root="$work/initramfs"
mkdir -p "$root/bin" "$root/lib/modules" "$root/proc" "$root/sys" "$root/dev" "$root/mnt"
cp "$busybox" "$root/bin/busybox"
declare -A loaded=()
order=()
module_file() {
    find "$modules/kernel" -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" -o -name "$1.ko.gz" | head -1
}
add_module() {
    local name="$1" file depends dep
    [ -z "${loaded[$name]:-}" ] || return 0
    # Built into the kernel: nothing to load.
    if grep -qE "/$name\.ko$" "$modules/modules.builtin"; then loaded[$name]=builtin; return 0; fi
    file="$(module_file "$name")"
    [ -n "$file" ] || { echo "linux-guest.sh: no module $name in $kernel_package" >&2; exit 1; }
    case "$file" in
        *.ko.xz) if command -v xz >/dev/null; then xz -dc "$file"; else "$busybox" xzcat "$file"; fi > "$root/lib/modules/$name.ko" ;;
        *.ko.zst) zstd -dcq "$file" > "$root/lib/modules/$name.ko" ;;
        *.ko.gz) gzip -dc "$file" > "$root/lib/modules/$name.ko" ;;
        *) cp "$file" "$root/lib/modules/$name.ko" ;;
    esac
    loaded[$name]=module
    depends="$(tr '\0' '\n' < "$root/lib/modules/$name.ko" | sed -n 's/^depends=//p' | head -1)"
    for dep in ${depends//,/ }; do
        add_module "${dep//-/_}"
    done
    order+=("$name")
}
for name in virtio_pci virtio_blk crc32c_generic ext4 evdev button; do
    add_module "$name"
done
printf '%s\n' "${order[@]}" > "$root/lib/modules/order"

cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sys /sys
say() { echo "GUEST $*"; }
die() { say "error $*"; sync; poweroff -f; }

for m in $(cat /lib/modules/order); do
    insmod "/lib/modules/$m.ko" || die "insmod $m failed"
done
mode="$(sed -n 's/.*lhg=\([a-z]*\).*/\1/p' /proc/cmdline)"
if [ "$mode" = probe ]; then say "probe ok"; poweroff -f; fi

tries=0
while [ ! -b /dev/vda ]; do
    tries=$((tries + 1)); [ "$tries" -lt 100 ] || die "no /dev/vda"; sleep 0.1
done
mount -t ext2 /dev/vda /mnt || die "cannot mount /dev/vda"
boot=$(( $(cat /mnt/boots 2>/dev/null || echo 0) + 1 ))
echo "$boot" > /mnt/boots
session="$(cut -c1-8 /proc/sys/kernel/random/uuid)"
echo "$session" > "/mnt/s$boot-$session"
sync
say "boot=$boot session=$session files=$(cd /mnt && ls | grep -v lost+found | tr '\n' ',' | sed 's/,$//') mode=$mode"

wait_for_power_button() {
    local event=""
    for candidate in /sys/class/input/event*; do
        [ "$(cat "$candidate/device/name" 2>/dev/null)" = "Power Button" ] && event="/dev/input/${candidate##*/}"
    done
    [ -n "$event" ] || die "no power button input device"
    say ready
    # One input_event (24 bytes) from the button device is the press.
    dd if="$event" of=/dev/null bs=24 count=1 2>/dev/null
    say "power button: shutting down"
    sync
    umount /mnt || die "cannot unmount /mnt"
    poweroff -f
}

case "$mode" in
    reboot) umount /mnt; reboot -f ;;
    poweroff) umount /mnt; poweroff -f ;;
    acpi) wait_for_power_button ;;
    fill)
        dd if=/dev/zero of=/mnt/fill bs=1M 2>/dev/null
        sync
        say "filled-kib=$(du -k /mnt/fill | cut -f1)"
        wait_for_power_button ;;
    *) die "unknown lhg=$mode on the kernel command line" ;;
esac
sleep 5
die "still running after mode $mode"
INIT
chmod 0755 "$root/init"
(cd "$root" && find . | LC_ALL=C sort | "$busybox" cpio -o -H newc -R 0:0 > "$work/out/initramfs.cpio" 2>/dev/null)
echo "$kernel_package $release" > "$work/out/kernel-version"
chmod 0644 "$work/out"/*
chmod 0755 "$work/out"

echo "$want" > "$work/out/.libvirt-hook-linux-guest"
rm -rf "$dir"
mv "$work/out" "$dir"
echo "linux-guest.sh: ready in $(( $(date +%s) - start )) s: $(cat "$dir/kernel-version"), modules ${order[*]}, $(du -k "$dir/initramfs.cpio" | cut -f1) KiB initramfs" >&2
echo "$dir"
