using LibvirtHook.Config;
using LibvirtHook.Domain;
using LibvirtHook.Platform;

namespace LibvirtHook.Restart;

/// <summary>The hook's side of a restart: decide from what is known now, hand off, return at once.</summary>
internal static class RestartScheduler
{
    /// <param name="worker">The program to start as the restart worker; with none, the decision is made and returned, and no process is started.</param>
    /// <param name="trusted">The reason is libvirt's own (release's argument); otherwise it may come from QEMU, and only libvirt's answer to the worker may restart the VM.</param>
    /// <returns>Null when the VM has no restart policy; otherwise the decision and the worker started for it.</returns>
    public static RestartHandoff? Schedule(HookPaths paths, WorkerProgram? worker, string domain, string uuid, RestartPolicy? policy, ShutoffReason reason, bool trusted = true)
    {
        if (policy is null)
            return null;
        // The stop refresh asked for is refresh's to undo: a worker would start the VM a second time and count it.
        var decision = Refresh.RefreshMarker.HeldBy(paths.RefreshFile(domain)) is { } refresh ? RestartDecision.No(refresh)
            : new Holds(paths).IsHeld(domain) ? RestartDecision.No(Holds.Why(domain))
            : RestartPlanner.AtRelease(policy, reason, trusted);
        if (!decision.Restart)
            return new RestartHandoff(decision, null);
        var launch = new WorkerLaunch { Domain = domain, Uuid = uuid, ReasonAtRelease = trusted ? reason : ShutoffReason.NotKnownYet };
        return new RestartHandoff(decision, worker is null ? null : launch.Spawn(worker));
    }
}
