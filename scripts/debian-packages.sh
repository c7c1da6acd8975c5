# Sourced by test.sh and demo/run.sh. ensure_debian_packages PACKAGE...: as root on a system with
# apt, installs whichever of them are missing (non-interactive) and says which; otherwise says
# what is missing and returns 1. One list per caller, in the caller; .ci/run has none of its own.
ensure_debian_packages() {
    local package missing=()
    command -v dpkg-query >/dev/null || { echo "Not a Debian system (no dpkg-query): install the equivalents of: $*" >&2; return 1; }
    for package in "$@"; do
        dpkg-query -W -f '${db:Status-Abbrev}' "$package" 2>/dev/null | grep -q '^ii' || missing+=("$package")
    done
    [ ${#missing[@]} -gt 0 ] || return 0
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        echo "Missing Debian packages: ${missing[*]}. Install them (apt-get install ${missing[*]}), or run this as root, which installs them." >&2
        return 1
    fi
    echo "Installing the missing Debian packages: ${missing[*]} (apt-get install, non-interactive)"
    local start=$SECONDS
    if ! DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq ||
       ! DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}" >/dev/null; then
        echo "apt-get could not install: ${missing[*]}" >&2
        return 1
    fi
    echo "Installed ${missing[*]} in $((SECONDS - start)) s"
}
