namespace LibvirtHook.Platform;

/// <summary>
/// The program the hook starts, detached, for work libvirtd must not wait for: the restart worker
/// and the discard worker alike. In production it is this very binary (Program.cs, from
/// <see cref="Environment.ProcessPath"/>); a spec may name a script that records its call. A hook
/// call with none (an in-process spec, whose own process is the test host) starts no process:
/// discarded overlays are removed within the call, and a restart is decided and logged but handed
/// to nobody. The role travels in <see cref="EnvironmentVariable"/>: libvirtd passes hooks only
/// PATH, HOME, LC_ALL and a few more, so no hook call (whatever its domain name) can be mistaken
/// for a worker.
/// </summary>
internal sealed record WorkerProgram(string Path)
{
    public const string EnvironmentVariable = "LIBVIRT_HOOK_WORKER";

    /// <summary>This binary, run again as a worker; null where the runtime cannot tell its path.</summary>
    public static WorkerProgram? OfThisProcess() => Environment.ProcessPath is { } path ? new WorkerProgram(path) : null;

    /// <returns>The worker's pid.</returns>
    public int Spawn(string role, IReadOnlyList<string> arguments)
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["LC_ALL"] = "C",
            [EnvironmentVariable] = role,
        };
        if (Environment.GetEnvironmentVariable("HOME") is { } home)
            environment["HOME"] = home;
        return DetachedProcess.Start(Path, arguments, environment);
    }
}
