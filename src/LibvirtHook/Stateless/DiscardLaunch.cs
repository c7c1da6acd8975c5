using LibvirtHook.Platform;

namespace LibvirtHook.Stateless;

/// <summary>
/// The discard worker's protocol: the hook spawns its own binary detached (see
/// <see cref="WorkerProgram"/>) in role <c>discard</c>, with argv <c>domain file...</c>; Program.cs
/// reads that back and hands it to <see cref="OverlayDiscards.Remove"/>.
/// </summary>
internal sealed record DiscardLaunch
{
    private const string Role = "discard";

    /// <summary>Only for the log line when a file cannot be removed.</summary>
    public required string Domain { get; init; }

    public required IReadOnlyList<string> Files { get; init; }

    /// <returns>The worker's pid.</returns>
    public int Spawn(WorkerProgram program) => program.Spawn(Role, [Domain, .. Files]);

    /// <summary>The launch this process was started for, or null when it is not a discard worker.</summary>
    public static DiscardLaunch? FromProcess(string? environmentValue, IReadOnlyList<string> args) =>
        environmentValue == Role && args.Count >= 2 ? new DiscardLaunch { Domain = args[0], Files = args.Skip(1).ToList() } : null;
}
