using LibvirtHook.Domain;
using LibvirtHook.Platform;

namespace LibvirtHook.Restart;

/// <summary>
/// The restart worker's protocol, in one place: the hook spawns its own binary detached (see
/// <see cref="WorkerProgram"/>) in role <c>restart</c>, with argv <c>domain uuid reason</c>;
/// Program.cs reads that back.
/// </summary>
internal sealed record WorkerLaunch
{
    private const string Role = "restart";

    public required string Domain { get; init; }

    /// <summary>What the worker names the domain by with virsh.</summary>
    public required string Uuid { get; init; }

    public required ShutoffReason ReasonAtRelease { get; init; }

    /// <summary>Starts the worker detached from libvirtd (its session, descriptors, working directory).</summary>
    /// <returns>The worker's pid.</returns>
    public int Spawn(WorkerProgram program) => program.Spawn(Role, [Domain, Uuid, ReasonAtRelease.Name()]);

    /// <summary>The launch this process was started for, or null when it is not a restart worker.</summary>
    public static WorkerLaunch? FromProcess(string? environmentValue, IReadOnlyList<string> args)
    {
        if (environmentValue != Role || args.Count != 3)
            return null;
        ShutoffReasons.TryParse(args[2], out var reason);
        return new WorkerLaunch { Domain = args[0], Uuid = args[1], ReasonAtRelease = reason };
    }
}
