#!/usr/bin/env python3
"""Would an AppArmor profile let its process execute these paths? Reads a profile whose includes
are already expanded (`apparmor_parser --preprocess`), takes the file rules of one profile's own
body (not of its child profiles or hats), and decides each path the way AppArmor decides an
exec: allowed if an allow rule with an x permission matches it and no deny rule with x does
(deny wins). Paths must be the ones the kernel sees: symlinks resolved.

    aa_exec.py PROFILE-FILE PROFILE-NAME PATH...

Prints one line per path ("allow PATH by RULE", "deny PATH by RULE", "deny PATH: no rule") and
exits 0 when every path is allowed, 1 when one is not, 2 when the profile cannot be read.

Globs as apparmor.d(5) defines them: `*` (any characters but `/`), `**` (any characters), `?`
(one character but `/`), `[abc]`, `[a-z]`, `[^abc]`, `{a,b}` (nested, empty alternatives
allowed), `@{VAR}` (from `@{VAR}=...` and `@{VAR}+=...` definitions, space-separated values,
expanded recursively) and `\\` escapes. As apparmor_parser compiles them, a `*` or `**` right
after a `/` needs at least one character that is not a `/` (`/usr/sbin/*` does not match
`/usr/sbin/`). Stdlib only.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass

_MODE_CHARS = set("rwaxlkmiuUpPcCbBD")
_QUALIFIERS = r"(?P<qual>(?:(?:audit|deny|owner|allow|file)\s+)*)"
_PATH = r'(?P<path>"[^"]*"|[/@]\S*)'
_MODE = r"(?P<mode>[a-zA-Z]+)"
_TARGET = r"(?:\s*->\s*\S+)?"
_PATH_FIRST = re.compile(r"^" + _QUALIFIERS + _PATH + r"\s+" + _MODE + _TARGET + r"\s*,$")
_MODE_FIRST = re.compile(r"^" + _QUALIFIERS + _MODE + r"\s+" + _PATH + _TARGET + r"\s*,$")
_VARIABLE = re.compile(r"^@\{(?P<name>[A-Za-z0-9_]+)\}\s*(?P<op>\+?=)\s*(?P<values>.*?)\s*,?$")
_PROFILE = re.compile(r"^(?:profile\s+(?P<name>\S+)(?:\s+(?P<attach>/\S*))?|(?P<bare>/\S*))(?:\s+flags\s*=\s*\([^)]*\))?\s*\{$")


class ProfileError(Exception):
    pass


@dataclass(frozen=True)
class Rule:
    text: str
    deny: bool
    mode: str
    glob: str

    @property
    def executes(self) -> bool:
        return "x" in self.mode.lower()


def _strip_comment(line: str) -> str:
    # A '#' starts a comment unless it is inside quotes; include lines are expanded already.
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "#" and not quoted:
            return line[:index]
    return line


def _split_values(text: str) -> list[str]:
    values = re.findall(r'"([^"]*)"|(\S+)', text)
    return [quoted if quoted or not bare else bare for quoted, bare in values]


def parse(text: str, profile: str) -> tuple[list[Rule], dict[str, list[str]]]:
    """The file rules of PROFILE's own body and every variable defined anywhere in TEXT."""
    variables: dict[str, list[str]] = {}
    rules: list[Rule] = []
    depth = 0
    inside = False
    found = False
    for raw in text.splitlines():
        line = _strip_comment(raw).strip()
        if not line:
            continue
        variable = _VARIABLE.match(line)
        if variable:
            values = _split_values(variable["values"])
            if variable["op"] == "=":
                variables[variable["name"]] = values
            else:
                variables.setdefault(variable["name"], []).extend(values)
            continue
        if line.endswith("{"):
            header = _PROFILE.match(line)
            if depth == 0 and header and profile in (header["name"], header["attach"], header["bare"]):
                inside = found = True
            depth += 1
            continue
        if line.startswith("}"):
            depth -= 1
            if depth == 0:
                inside = False
            continue
        if not inside or depth != 1:
            continue
        match = _PATH_FIRST.match(line) or _MODE_FIRST.match(line)
        if not match or not set(match["mode"]) <= _MODE_CHARS:
            continue
        path = match["path"]
        if path.startswith('"'):
            path = path[1:-1]
        rules.append(Rule(text=line, deny="deny" in match["qual"].split(), mode=match["mode"], glob=path))
    if not found:
        raise ProfileError(f'the profile text has no profile named "{profile}"; name one its "profile NAME" line declares')
    return rules, variables


def expand_variables(glob: str, variables: dict[str, list[str]], seen: tuple[str, ...] = ()) -> str:
    """@{VAR} becomes {value1,value2} (one value: just that value), recursively."""
    def replace(match: re.Match[str]) -> str:
        name = match[1]
        if name in seen:
            raise ProfileError(f"the variable @{{{name}}} refers to itself")
        if name not in variables:
            raise ProfileError(f"the variable @{{{name}}} is used but never defined; preprocess the profile with its tunables")
        values = [expand_variables(value, variables, seen + (name,)) for value in variables[name]]
        return values[0] if len(values) == 1 else "{" + ",".join(values) + "}"
    return re.sub(r"@\{([A-Za-z0-9_]+)\}", replace, glob)


def glob_to_regex(glob: str) -> str:
    """An AppArmor glob (variables already expanded) as a Python regular expression."""
    out: list[str] = []
    index = 0
    braces = 0
    while index < len(glob):
        char = glob[index]
        if char == "\\" and index + 1 < len(glob):
            out.append(re.escape(glob[index + 1]))
            index += 2
            continue
        if char == "*":
            after_slash = index > 0 and glob[index - 1] == "/"
            double = glob[index + 1:index + 2] == "*"
            if after_slash:
                out.append("[^/]")
            out.append(".*" if double else "[^/]*")
            index += 2 if double else 1
            continue
        if char == "?":
            out.append("[^/]")
        elif char == "[":
            end = glob.find("]", index + 2)
            if end < 0:
                raise ProfileError(f'the glob "{glob}" opens a "[" it never closes')
            body = glob[index + 1:end]
            negate = body.startswith("^")
            if negate:
                body = body[1:]
            body = body.replace("\\", "\\\\").replace("[", "\\[")
            out.append("[" + ("^" if negate else "") + body + "]")
            index = end + 1
            continue
        elif char == "{":
            braces += 1
            out.append("(?:")
        elif char == "," and braces:
            out.append("|")
        elif char == "}" and braces:
            braces -= 1
            out.append(")")
        else:
            out.append(re.escape(char))
        index += 1
    if braces:
        raise ProfileError(f'the glob "{glob}" opens a "{{" it never closes')
    return "".join(out)


def matches(glob: str, path: str, variables: dict[str, list[str]] | None = None) -> bool:
    return re.fullmatch(glob_to_regex(expand_variables(glob, variables or {})), path, re.DOTALL) is not None


def decide(rules: list[Rule], variables: dict[str, list[str]], path: str) -> tuple[bool, Rule | None]:
    """(allowed, the deciding rule): a matching deny rule wins over every allow rule."""
    allowing: Rule | None = None
    for rule in rules:
        if not rule.executes or not matches(rule.glob, path, variables):
            continue
        if rule.deny:
            return False, rule
        allowing = allowing or rule
    return allowing is not None, allowing


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    profile_file, profile, paths = argv[0], argv[1], argv[2:]
    try:
        with open(profile_file, encoding="utf-8") as handle:
            rules, variables = parse(handle.read(), profile)
        verdicts = [(path, *decide(rules, variables, path)) for path in paths]
    except (OSError, ProfileError) as error:
        print(f"aa_exec.py: {error}", file=sys.stderr)
        return 2
    for path, allowed, rule in verdicts:
        if rule is None:
            print(f"deny {path}: no rule of profile {profile} lets it execute that")
        else:
            print(f"{'allow' if allowed else 'deny'} {path} by \"{rule.text}\"")
    return 0 if all(allowed for _, allowed, _ in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
