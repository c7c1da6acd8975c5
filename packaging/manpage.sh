#!/usr/bin/env bash
# manpage.sh BINARY VERSION DATE: prints libvirt-hook(8) in troff, made from the binary's own
# --help and each command's --help, so the man page never says anything the help does not.
set -euo pipefail
binary="$1" version="$2" date="$3"

# Troff-safe text: backslashes, minus signs, and lines that would read as requests.
escape() { sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\([.']\)/\\\\\&\1/"; }

# section NAME: the lines of one "Name:" block of a help text, indentation removed.
section() {
    awk -v want="$1:" '
        /^[A-Z][A-Za-z ]*:$/ { inside = ($0 == want); next }
        inside && /^$/ { inside = 0 }
        inside { sub(/^  /, ""); print }'
}

# A description: prose as a filled paragraph, "Example(s):" and what follows as a literal block.
describe() {
    awk '
        /^Examples?:$/ { print ".PP"; print $0; print ".RS 4"; print ".nf"; example = 1; next }
        example { sub(/^  /, ""); print; next }
        { print }
        END { if (example) { print ".fi"; print ".RE" } }'
}

# Arguments and options: "  NAME  text" rows as tagged paragraphs.
rows() {
    awk '{ match($0, /^[^ ].*[^ ]  +/); if (RSTART) { tag = substr($0, 1, RLENGTH); sub(/ +$/, "", tag);
           print ".TP"; print tag; print substr($0, RLENGTH + 1) } else { print } }'
}

root_help="$("$binary" --help)"
description="$(section Description <<<"$root_help")"
summary="$(head -n 1 <<<"$description" | sed -e "s/^libvirt-hook: //" -e "s/\\.$//")"
commands="$(section Commands <<<"$root_help" | awk '/^[a-z]/ { print $1 }')"
[ -n "$commands" ] || { echo "manpage.sh: \"$binary --help\" lists no commands" >&2; exit 1; }

cat <<TROFF
.TH LIBVIRT\\-HOOK 8 "$date" "libvirt\\-hook $version" "System Administration"
.SH NAME
libvirt\\-hook \\- $(escape <<<"$summary")
.SH SYNOPSIS
.B libvirt\\-hook
.I command
.RI [ arguments ]
.RI [ options ]
.br
.B /etc/libvirt/hooks/qemu
.I "domain operation suboperation extra"
.SH DESCRIPTION
$(tail -n +2 <<<"$description" | escape)
.PP
Run as /etc/libvirt/hooks/qemu, or from /etc/libvirt/hooks/qemu.d/, the binary is libvirt's hook
and every argument is a hook call, whatever the domain is named. Under any other name it is
the admin command described here.
.SH OPTIONS
$(section Options <<<"$root_help" | escape | rows)
.SH COMMANDS
TROFF

for command in $commands; do
    help="$("$binary" "$command" --help)"
    echo ".SS \"$(section Usage <<<"$help" | escape)\""
    section Description <<<"$help" | escape | describe
    arguments="$(section Arguments <<<"$help")"
    [ -z "$arguments" ] || escape <<<"$arguments" | rows
    section Options <<<"$help" | grep -v -- '--help' | escape | rows || true
done

cat <<'TROFF'
.SH FILES
.TP
/etc/libvirt/hooks/config/\fIvm\fR.json
The config of one managed VM (root\-owned, not writable by group or others).
.TP
/var/log/libvirt/qemu/hooks.log
One line per hook call for managed VMs.
.TP
/var/lib/libvirt/libvirt\-hook/
Journals, restart histories and holds.
.TP
/usr/share/doc/libvirt\-hook/examples/
Sample configs with comments, and a JSON Schema for editors.
.SH SEE ALSO
.BR virsh (1),
.BR qemu\-img (1),
https://libvirt.org/hooks.html
TROFF
