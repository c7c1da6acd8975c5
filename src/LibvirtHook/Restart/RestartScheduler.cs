using LibvirtHook.Config;
using LibvirtHook.Logging;
using LibvirtHook.Platform;

namespace LibvirtHook.Restart;

/// <summary>The hook's side of a restart: decide from what is known now, hand off, return at once.</summary>
public static class RestartScheduler
{
    /// <returns>The log fragment that says what was decided.</returns>
    public static string Schedule(HookPaths paths, string domain, string uuid, RestartPolicy? policy, string reason)
    {
        if (policy is null)
            return "";
        var decision = new Holds(paths).IsHeld(domain) ? RestartDecision.No(Holds.Why(domain)) : RestartPlanner.ForReason(policy, reason);
        if (!decision.Restart)
            return $" restart=no why={HookLog.Quote(decision.Why)}";

        var environment = new Dictionary<string, string>
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["LC_ALL"] = "C",
            [RestartWorker.EnvironmentVariable] = "restart",
        };
        if (Environment.GetEnvironmentVariable("HOME") is { } home)
            environment["HOME"] = home;
        var pid = DetachedProcess.Start(Environment.ProcessPath!, [domain, uuid, reason], environment);
        return $" restart=scheduled worker-pid={pid}";
    }
}
