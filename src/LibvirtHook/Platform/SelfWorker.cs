namespace LibvirtHook.Platform;

/// <summary>
/// This binary started again, detached, for work libvirtd must not wait for. The role travels in
/// <see cref="EnvironmentVariable"/>: libvirtd passes hooks only PATH, HOME, LC_ALL and a few
/// more, so no hook call (whatever its domain name) can be mistaken for a worker.
/// </summary>
internal static class SelfWorker
{
    public const string EnvironmentVariable = "LIBVIRT_HOOK_WORKER";

    /// <returns>The worker's pid.</returns>
    public static int Spawn(string program, string role, IReadOnlyList<string> arguments)
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["LC_ALL"] = "C",
            [EnvironmentVariable] = role,
        };
        if (Environment.GetEnvironmentVariable("HOME") is { } home)
            environment["HOME"] = home;
        return DetachedProcess.Start(program, arguments, environment);
    }
}
