using LibvirtHook.Config;
using LibvirtHook.Domain;

namespace LibvirtHook.Restart;

/// <summary>The hook's side of a restart: decide from what is known now, hand off, return at once.</summary>
internal static class RestartScheduler
{
    /// <returns>Null when the VM has no restart policy; otherwise the decision and the worker started for it.</returns>
    public static RestartHandoff? Schedule(HookPaths paths, string domain, string uuid, RestartPolicy? policy, ShutoffReason reason)
    {
        if (policy is null)
            return null;
        // The stop refresh asked for is refresh's to undo: a worker would start the VM a second time and count it.
        var decision = Refresh.RefreshMarker.HeldBy(paths.RefreshFile(domain)) is { } refresh ? RestartDecision.No(refresh)
            : new Holds(paths).IsHeld(domain) ? RestartDecision.No(Holds.Why(domain))
            : RestartPlanner.AtRelease(policy, reason);
        if (!decision.Restart)
            return new RestartHandoff(decision, null);
        var launch = new WorkerLaunch { Domain = domain, Uuid = uuid, ReasonAtRelease = reason };
        return new RestartHandoff(decision, launch.Spawn(Environment.ProcessPath!));
    }
}
