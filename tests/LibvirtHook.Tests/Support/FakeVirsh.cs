using System.Text.Json;
using System.Text.Json.Nodes;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Support;

/// <summary>
/// The one stand-in for virsh in the unit specs (the real virsh is exercised by the end-to-end
/// specs). A spec declares a table: a virsh command (what follows <c>-c URI</c>, the global
/// <c>-q</c> included) and the answers to its successive calls, the last one repeating. Answers
/// can print and change named state variables, so one call can change what a later one prints.
/// A command string (<c>-q "cmd ; cmd"</c>, how the admin side asks about many domains at once) is
/// answered command by command from the same table, with <c>echo</c> printing its words and no
/// line end, as virsh does. A call that no rule matches, or that is not addressed to
/// <see cref="ToolPaths.LibvirtUri"/>, fails with exit 1 and is recorded like the others: every call is read back through
/// <see cref="Calls"/>, argv by argv.
/// </summary>
/// <remarks>
/// One generic program (python3) reads the table from a JSON file beside it: no answer's text
/// ever passes through a shell. It takes an exclusive flock for each call, so concurrent calls
/// see and change the state one after another.
/// </remarks>
internal sealed class FakeVirsh
{
    /// <summary>In a rule's command, stands for any one argument (a temp file's name, a command string).</summary>
    public const string? AnyArgument = null;

    private const string Program = """
        #!/usr/bin/python3 -I
        # The fake virsh of LibvirtHook.Tests (Support/FakeVirsh.cs): answers from table.json beside it.
        import fcntl, json, os, sys

        here = os.path.dirname(os.path.abspath(sys.argv[0]))
        argv = sys.argv[1:]

        def matches(command, args):
            return len(command) == len(args) and all(c is None or c == a for c, a in zip(command, args))

        def lock_held(path):
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            except FileNotFoundError:
                return False
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return False
            except BlockingIOError:
                return True
            finally:
                os.close(fd)

        with open(os.path.join(here, "table.lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            with open(os.path.join(here, "table.json")) as f:
                table = json.load(f)
            prefix = ["-c", table["uri"]]
            args = argv[2:] if argv[:2] == prefix else None
            rule = next((r for r in table["rules"] if args is not None and matches(r["command"], args)), None)
            record = {"argv": argv, "answered": rule is not None}
            if rule is None and args is not None and len(args) == 2 and args[0] == "-q" and " ; " in args[1]:
                # virsh's own command string: each command answered from the table, in order; its
                # echo ends no line (the next command's output follows right after it, as virsh does).
                out, err, code, answered = "", "", 0, True
                for command in args[1].split(" ; "):
                    words = command.split()
                    if words[:1] == ["echo"]:
                        out += " ".join(words[1:])
                        continue
                    part = next((r for r in table["rules"] if matches(r["command"], ["-q", *words])), None)
                    if part is None:
                        answered = False
                        err += "error: the fake virsh has no answer for: " + command + "\n"
                        code = 1
                        continue
                    one = part["answers"][min(part["next"], len(part["answers"]) - 1)]
                    part["next"] += 1
                    out, err, code = out + one["stdout"], err + one["stderr"], max(code, one["exit"])
                record["answered"] = answered
                rule = {"next": 0, "answers": [{"stdout": out, "stderr": err, "exit": code, "sets": {}}]}
            if rule is None:
                answer = {"stdout": "", "stderr": "error: the fake virsh has no answer for: " + " ".join(argv) + "\n", "exit": 1, "sets": {}}
            else:
                answer = rule["answers"][min(rule["next"], len(rule["answers"]) - 1)]
                rule["next"] += 1
            table["state"].update(answer["sets"])
            stdout = answer["stdout"]
            if answer.get("prints-state") is not None:
                if answer["prints-state"] in table["state"]:
                    stdout += table["state"][answer["prints-state"]] + "\n"
                else:
                    answer = dict(answer, stderr="error: the fake virsh has no state " + answer["prints-state"] + "\n", exit=1)
            if answer.get("notes-lock-on") is not None:
                record["lock-held"] = lock_held(answer["notes-lock-on"])
            if answer.get("keeps-file-after") is not None:
                with open(argv[argv.index(answer["keeps-file-after"]) + 1]) as f:
                    record["kept-file"] = f.read()
            with open(os.path.join(here, "table.json.new"), "w") as f:
                json.dump(table, f)
            os.rename(os.path.join(here, "table.json.new"), os.path.join(here, "table.json"))
            with open(os.path.join(here, "calls.jsonl"), "a") as f:
                f.write(json.dumps(record) + "\n")

        sys.stdout.write(stdout)
        sys.stderr.write(answer["stderr"])
        sys.exit(answer["exit"])
        """;

    private readonly string _directory;
    private readonly List<(IReadOnlyList<string?> Command, VirshAnswer[] Answers)> _rules = [];
    private readonly Dictionary<string, string> _state = new(StringComparer.Ordinal);

    /// <param name="directory">Where its program, table and call log go: a directory of the spec's temp tree.</param>
    public FakeVirsh(string directory)
    {
        _directory = Directory.CreateDirectory(Path.Combine(directory, "fake-virsh")).FullName;
        WriteTable();
        Executable.Write(ProgramPath, Program + "\n");
    }

    private string ProgramPath => Path.Combine(_directory, "virsh");

    private string CallLog => Path.Combine(_directory, "calls.jsonl");

    /// <summary>The tools the code under test gets: this virsh, the rest as in production.</summary>
    public ToolPaths Tools => ToolPaths.Default with { Virsh = ProgramPath };

    /// <summary>Answers the calls of <paramref name="command"/> in order; once they run out, the last answer repeats.</summary>
    /// <param name="command">The arguments after <c>-c URI</c>, each exact or <see cref="AnyArgument"/>.</param>
    public FakeVirsh On(IReadOnlyList<string?> command, params VirshAnswer[] answers)
    {
        if (answers.Length == 0)
            throw new ArgumentException($"The fake virsh needs at least one answer for \"{string.Join(' ', command)}\".", nameof(answers));
        if (_rules.Any(r => r.Command.SequenceEqual(command)))
            throw new ArgumentException($"The fake virsh already answers \"{string.Join(' ', command)}\"; give all its answers in one On call.", nameof(command));
        _rules.Add((command, answers));
        WriteTable();
        return this;
    }

    /// <summary>Gives a state variable its value before the first call.</summary>
    public FakeVirsh Set(string variable, string value)
    {
        _state[variable] = value;
        WriteTable();
        return this;
    }

    /// <summary>Every call so far, in order; none before the first call.</summary>
    public IReadOnlyList<VirshCall> Calls =>
        File.Exists(CallLog)
            ? [.. File.ReadAllLines(CallLog).Select(line => JsonNode.Parse(line)!).Select(call => new VirshCall
            {
                Argv = [.. call["argv"]!.AsArray().Select(a => a!.GetValue<string>())],
                Answered = call["answered"]!.GetValue<bool>(),
                LockHeld = call["lock-held"]?.GetValue<bool>(),
                KeptFile = call["kept-file"]?.GetValue<string>(),
            })]
            : [];

    /// <summary>Every call so far as its argv joined by spaces.</summary>
    public IReadOnlyList<string> Lines => [.. Calls.Select(c => c.Line)];

    private void WriteTable()
    {
        var table = new JsonObject
        {
            ["uri"] = ToolPaths.Default.LibvirtUri,
            ["state"] = new JsonObject(_state.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
            ["rules"] = new JsonArray([.. _rules.Select(r => (JsonNode?)new JsonObject
            {
                ["command"] = new JsonArray([.. r.Command.Select(a => (JsonNode?)(a is null ? null : JsonValue.Create(a)))]),
                ["next"] = 0,
                ["answers"] = new JsonArray([.. r.Answers.Select(a => (JsonNode?)new JsonObject
                {
                    ["stdout"] = a.Stdout,
                    ["stderr"] = a.Stderr,
                    ["exit"] = a.ExitCode,
                    ["prints-state"] = a.PrintsState,
                    ["sets"] = new JsonObject(a.Sets.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
                    ["notes-lock-on"] = a.NotesLockOn,
                    ["keeps-file-after"] = a.KeepsFileAfter,
                })]),
            })]),
        };
        // Replaced whole, never rewritten in place: the program may be reading it.
        var path = Path.Combine(_directory, "table.json");
        File.WriteAllText(path + ".new", table.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(path + ".new", path, overwrite: true);
    }
}
