using LibvirtHook.Domain;
using LibvirtHook.Platform;

namespace LibvirtHook.Restart;

/// <summary>
/// The restart worker's protocol, in one place: the hook spawns its own binary detached, with
/// <see cref="EnvironmentVariable"/> set and argv <c>domain uuid reason</c>; Program.cs reads
/// that back. libvirtd passes hooks only PATH, HOME, LC_ALL and a few more, so no domain name
/// can ever be mistaken for a worker call.
/// </summary>
internal sealed record WorkerLaunch
{
    public const string EnvironmentVariable = "LIBVIRT_HOOK_WORKER";
    private const string Role = "restart";

    public required string Domain { get; init; }

    /// <summary>What the worker names the domain by with virsh.</summary>
    public required string Uuid { get; init; }

    public required ShutoffReason ReasonAtRelease { get; init; }

    /// <summary>Starts the worker detached from libvirtd (its session, descriptors, working directory).</summary>
    /// <returns>The worker's pid.</returns>
    public int Spawn(string program)
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["LC_ALL"] = "C",
            [EnvironmentVariable] = Role,
        };
        if (Environment.GetEnvironmentVariable("HOME") is { } home)
            environment["HOME"] = home;
        return DetachedProcess.Start(program, [Domain, Uuid, ReasonAtRelease.Name()], environment);
    }

    /// <summary>The launch this process was started for, or null when it is not a restart worker.</summary>
    public static WorkerLaunch? FromProcess(string? environmentValue, IReadOnlyList<string> args)
    {
        if (environmentValue != Role || args.Count != 3)
            return null;
        ShutoffReasons.TryParse(args[2], out var reason);
        return new WorkerLaunch { Domain = args[0], Uuid = args[1], ReasonAtRelease = reason };
    }
}
