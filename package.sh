#!/usr/bin/env bash
# Builds the Debian package and the release tarball from the NativeAOT binary:
#   dist/libvirt-hook_<version>_amd64.deb         apt install ./dist/libvirt-hook_<version>_amd64.deb
#   dist/libvirt-hook-<version>-linux-x64.tar.gz  binary, samples, schema, README, install.sh
#
#   ./package.sh                  AOT-publish (needs the .NET SDK), then package
#   ./package.sh --binary PATH    package an already built binary
#   ./package.sh --version V      label the package V instead of VERSION's (tests build "older" ones)
#   ./package.sh --dist DIR       write the package and the tarball to DIR instead of dist/
#
# The version comes from the file VERSION (the binary's --version reads it too). Needs dpkg-dev
# (dpkg-shlibdeps) and gzip; the package is built with dpkg-deb, the man page from the binary's help.
set -euo pipefail
cd "$(dirname "$0")"

binary=""
version="$(tr -d '[:space:]' < VERSION)"
label=""
dist=dist
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary="$2"; shift 2 ;;
        --version) label="$2"; shift 2 ;;
        --dist) dist="$2"; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "package.sh: unknown option \"$1\"; see --help" >&2; exit 2 ;;
    esac
done
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "package.sh: VERSION holds \"$version\"; it must be MAJOR.MINOR.PATCH" >&2; exit 1; }
for tool in dpkg-deb dpkg-shlibdeps gzip; do
    command -v "$tool" >/dev/null || { echo "package.sh: \"$tool\" is missing: apt-get install dpkg-dev" >&2; exit 1; }
done

if [ -z "$binary" ]; then
    command -v dotnet >/dev/null || { echo "package.sh: the .NET SDK (dotnet) is needed to build the binary; install it, or pass --binary PATH" >&2; exit 1; }
    dotnet publish src/LibvirtHook/LibvirtHook.csproj -c Release -r linux-x64 -o artifacts/hook -nologo -v quiet
    binary=artifacts/hook/libvirt-hook
fi
[ -x "$binary" ] || { echo "package.sh: \"$binary\" is not an executable" >&2; exit 1; }
built="$("$binary" --version)"
if [ -z "$label" ] && [ "$built" != "$version" ]; then
    echo "package.sh: \"$binary\" says it is version \"$built\", VERSION says \"$version\"; rebuild it" >&2
    exit 1
fi
version="${label:-$version}"

# Reproducible: every date and mtime is the last commit's (or SOURCE_DATE_EPOCH's).
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
export TZ=UTC LC_ALL=C.UTF-8
umask 022

work=artifacts/package
rm -rf "$work"
root="$work/root"
doc="$root/usr/share/doc/libvirt-hook"
install -d "$root/DEBIAN" "$root/usr/sbin" "$root/etc/logrotate.d" \
    "$doc/examples" "$root/usr/share/man/man8"
# Under this name the binary is the admin command; as /etc/libvirt/hooks/qemu (a link postinst
# makes) the hook. AppArmor matches an exec on the path behind the link, and /usr/sbin/* is one
# libvirtd's profile lets it run (PUx), as virtqemud's does: see README, "Install".
install -m 0755 "$binary" "$root/usr/sbin/libvirt-hook"
install -m 0644 packaging/logrotate "$root/etc/logrotate.d/libvirt-hook"
install -m 0644 packaging/copyright "$doc/copyright"
install -D -m 0644 packaging/lintian-overrides "$root/usr/share/lintian/overrides/libvirt-hook"
install -m 0644 hooks-config-samples/* "$doc/examples/"
gzip -9n < README.md > "$doc/README.md.gz"
{
    # A native package (no Debian revision): Debian names its changelog changelog.gz.
    echo "libvirt-hook ($version) unstable; urgency=medium"
    echo
    echo "  * Release $version: see /usr/share/doc/libvirt-hook/README.md.gz."
    echo
    echo " -- $(sed -n 's/^Maintainer: //p' packaging/control)  $(date -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n > "$doc/changelog.gz"
packaging/manpage.sh "$binary" "$version" "$(date -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)" | gzip -9n > "$root/usr/share/man/man8/libvirt-hook.8.gz"
# systemd units from contrib/systemd (installed disabled, as install.sh does), with the packaged
# admin command's path instead of install.sh's.
for unit in contrib/systemd/*.service contrib/systemd/*.timer; do
    [ -f "$unit" ] || continue
    install -d "$root/usr/lib/systemd/system"
    sed 's|/usr/local/sbin/libvirt-hook|/usr/sbin/libvirt-hook|g' "$unit" > "$root/usr/lib/systemd/system/$(basename "$unit")"
    chmod 0644 "$root/usr/lib/systemd/system/$(basename "$unit")"
done
install -m 0755 packaging/preinst packaging/postinst packaging/prerm packaging/postrm "$root/DEBIAN/"
echo /etc/logrotate.d/libvirt-hook > "$root/DEBIAN/conffiles"

# The library dependencies as Debian computes them (libc6 with the symbol versions used).
mkdir -p "$work/shlibs/debian"
printf 'Source: libvirt-hook\n\nPackage: libvirt-hook\nArchitecture: amd64\n' > "$work/shlibs/debian/control"
shlibs="$(cd "$work/shlibs" && dpkg-shlibdeps -O "$OLDPWD/$root/usr/sbin/libvirt-hook" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')"
[ -n "$shlibs" ] || { echo "package.sh: dpkg-shlibdeps found no library dependency for the binary" >&2; exit 1; }
installed_size="$(du -k -s --exclude=DEBIAN "$root" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$installed_size/" -e "s/@SHLIBS@/$shlibs/" \
    packaging/control > "$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$dist"
deb="$dist/libvirt-hook_${version}_amd64.deb"
dpkg-deb --build --root-owner-group -Zxz "$root" "$deb" >/dev/null
echo "$deb ($(du -k "$deb" | cut -f1) KiB)"

# The tarball: what install.sh needs to install the prebuilt binary, for other distributions.
name="libvirt-hook-$version"
stage="$work/$name"
install -d "$stage/hooks-config-samples" "$stage/packaging"
install -m 0755 "$binary" "$stage/libvirt-hook"
install -m 0755 install.sh "$stage/install.sh"
install -m 0644 README.md VERSION LICENSE "$stage/"
install -m 0644 hooks-config-samples/* "$stage/hooks-config-samples/"
install -m 0644 packaging/logrotate "$stage/packaging/logrotate"
if ls contrib/systemd/* >/dev/null 2>&1; then
    install -d "$stage/contrib/systemd"
    install -m 0644 contrib/systemd/* "$stage/contrib/systemd/"
fi
zcat "$root/usr/share/man/man8/libvirt-hook.8.gz" > "$stage/libvirt-hook.8"
tarball="$dist/libvirt-hook-$version-linux-x64.tar.gz"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" -C "$work" -cf - "$name" | gzip -9n > "$tarball"
echo "$tarball ($(du -k "$tarball" | cut -f1) KiB)"
