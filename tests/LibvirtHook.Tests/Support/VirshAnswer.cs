namespace LibvirtHook.Tests.Support;

/// <summary>What <see cref="FakeVirsh"/> does for one call: what it prints, its exit code, and what it notes or changes.</summary>
internal sealed record VirshAnswer
{
    public string Stdout { get; init; } = "";

    public string Stderr { get; init; } = "";

    public int ExitCode { get; init; }

    /// <summary>Prints this state variable's value (after <see cref="Sets"/>) as a line after <see cref="Stdout"/>.</summary>
    public string? PrintsState { get; init; }

    /// <summary>State variables this call changes, for the answers of later calls.</summary>
    public IReadOnlyDictionary<string, string> Sets { get; init; } = new Dictionary<string, string>();

    /// <summary>A file whose flock the call notes in <see cref="VirshCall.LockHeld"/>: whether someone held it then.</summary>
    public string? NotesLockOn { get; init; }

    /// <summary>An option (such as <c>--file</c>) whose argument names a file the call keeps in <see cref="VirshCall.KeptFile"/>.</summary>
    public string? KeepsFileAfter { get; init; }

    /// <summary>Exit 0, nothing printed.</summary>
    public static VirshAnswer Nothing { get; } = new();

    /// <summary>Exit 0 with these lines on stdout, as virsh prints them (each ends with a newline).</summary>
    public static VirshAnswer Prints(params string[] lines) => new() { Stdout = string.Concat(lines.Select(l => l + "\n")) };

    /// <summary>Exit 1 with this line on stderr, the way virsh reports an error.</summary>
    public static VirshAnswer Fails(string error) => new() { Stderr = error + "\n", ExitCode = 1 };

    /// <summary>Exit 0, printing the state variable's value.</summary>
    public static VirshAnswer PrintsStateOf(string variable) => new() { PrintsState = variable };

    /// <summary>Exit 0, setting a state variable.</summary>
    public static VirshAnswer Setting(string variable, string value) => new() { Sets = new Dictionary<string, string> { [variable] = value } };
}
