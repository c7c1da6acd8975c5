using LibvirtHook.Config;
using LibvirtHook.Domain;

namespace LibvirtHook.Restart;

/// <summary>The decisions of the restart feature, free of I/O so they can be tested alone.</summary>
internal static class RestartPlanner
{
    /// <summary>How the crash-loop guard's "no" begins; readers of the log recognise a give-up by it.</summary>
    public const string CrashLoopGuard = "crash-loop guard:";

    /// <summary>
    /// The hook's decision at release. A reason not known yet (libvirt before 10.5 without its log
    /// line) is handed to the worker, which asks libvirt once the domain is off.
    /// </summary>
    /// <param name="trusted">
    /// False for a reason read from the domain log, which QEMU can write: it may say no, but a yes
    /// only hands the question to the worker, which restarts only if libvirt's own reason says so.
    /// </param>
    public static RestartDecision AtRelease(RestartPolicy? policy, ShutoffReason reason, bool trusted = true)
    {
        if (policy is not null && reason == ShutoffReason.NotKnownYet)
            return RestartDecision.Yes("the reason is not known yet; the worker reads it once the VM is off");
        var byReason = ForReason(policy, reason);
        return byReason.Restart && !trusted
            ? RestartDecision.Yes($"the domain log says \"{reason.Name()}\", but QEMU writes that log too; the worker restarts it only if libvirt says so once the VM is off")
            : byReason;
    }

    /// <summary>The final decision by reason: only a reason in restart.on restarts the VM.</summary>
    public static RestartDecision ForReason(RestartPolicy? policy, ShutoffReason reason)
    {
        if (policy is null)
            return RestartDecision.No("the config has no \"restart\" section");
        if (reason.LivesOnElsewhere())
            return RestartDecision.No($"a {reason.Name()} VM lives on elsewhere (its saved RAM or another host)");
        if (reason == ShutoffReason.NotKnownYet)
            return RestartDecision.No("libvirt did not say why the VM stopped, so it is not restarted");
        return policy.On.Contains(reason)
            ? RestartDecision.Yes($"reason \"{reason.Name()}\" is in restart.on")
            : RestartDecision.No($"reason \"{reason.Name()}\" is not in restart.on [{string.Join(", ", policy.On.Select(r => r.Name()))}]");
    }

    /// <summary>The crash-loop guard: at most max-restarts starts within window-seconds.</summary>
    public static RestartDecision ForHistory(RestartPolicy policy, IReadOnlyList<DateTimeOffset> restarts, DateTimeOffset now)
    {
        var recent = restarts.Count(r => r > now - TimeSpan.FromSeconds(policy.WindowSeconds));
        return recent >= policy.MaxRestarts
            ? RestartDecision.No($"{CrashLoopGuard} {recent} restarts in the last {policy.WindowSeconds} s already (max-restarts {policy.MaxRestarts}); giving up, start it by hand once it is fixed")
            : RestartDecision.Yes($"restart {recent + 1} of at most {policy.MaxRestarts} in {policy.WindowSeconds} s");
    }
}
