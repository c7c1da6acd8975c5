namespace LibvirtHook.Tests.Support;

/// <summary>One call <see cref="FakeVirsh"/> received, answered or not.</summary>
internal sealed record VirshCall
{
    /// <summary>Every argument, <c>-c URI</c> included.</summary>
    public required IReadOnlyList<string> Argv { get; init; }

    /// <summary>False when no rule of the table matched (the fake then failed the call).</summary>
    public required bool Answered { get; init; }

    /// <summary>For an answer with <see cref="VirshAnswer.NotesLockOn"/>: whether another open file held a lock on it during the call.</summary>
    public bool? LockHeld { get; init; }

    /// <summary>For an answer with <see cref="VirshAnswer.KeepsFileAfter"/>: the content of the file the call named.</summary>
    public string? KeptFile { get; init; }

    /// <summary>The argv joined by spaces, as <c>"$*"</c> would print it: what specs compare.</summary>
    public string Line => string.Join(' ', Argv);

    /// <summary>The virsh subcommand: the first argument after <c>-c URI</c> and the global <c>-q</c>.</summary>
    public string Subcommand => Argv.SkipWhile((a, i) => a == "-q" || a == "-c" || (i > 0 && Argv[i - 1] == "-c")).FirstOrDefault() ?? "";

    public override string ToString() => Answered ? Line : $"{Line} (no answer in the table)";
}
