using LibvirtHook.Config;

namespace LibvirtHook.Restart;

/// <summary>The decisions of the restart feature, free of I/O so they can be tested alone.</summary>
public static class RestartPlanner
{
    /// <summary>What to do once the shut-off reason is known ("unknown" when it is not yet).</summary>
    public static RestartDecision ForReason(RestartPolicy? policy, string reason)
    {
        if (policy is null)
            return RestartDecision.No("the config has no \"restart\" section");
        if (reason is "saved" or "migrated")
            return RestartDecision.No($"a {reason} VM lives on elsewhere (its saved RAM or another host)");
        if (reason == "unknown")
            return RestartDecision.Yes("the reason is not known yet; the worker reads it once the VM is off");
        return policy.On.Contains(reason)
            ? RestartDecision.Yes($"reason \"{reason}\" is in restart.on")
            : RestartDecision.No($"reason \"{reason}\" is not in restart.on [{string.Join(", ", policy.On)}]");
    }

    /// <summary>The crash-loop guard: at most max-restarts starts within window-seconds.</summary>
    public static RestartDecision ForHistory(RestartPolicy policy, IReadOnlyList<DateTimeOffset> restarts, DateTimeOffset now)
    {
        var recent = restarts.Count(r => r > now - TimeSpan.FromSeconds(policy.WindowSeconds));
        return recent >= policy.MaxRestarts
            ? RestartDecision.No($"crash-loop guard: {recent} restarts in the last {policy.WindowSeconds} s already (max-restarts {policy.MaxRestarts}); giving up, start it by hand once it is fixed")
            : RestartDecision.Yes($"restart {recent + 1} of at most {policy.MaxRestarts} in {policy.WindowSeconds} s");
    }

    /// <summary>Reads the reason out of <c>virsh domstate --reason</c> output such as "shut off (shutdown)".</summary>
    public static (string State, string Reason) ParseDomState(string output)
    {
        var text = output.Trim();
        var open = text.LastIndexOf('(');
        if (open < 0 || !text.EndsWith(')'))
            return (text, "unknown");
        return (text[..open].Trim(), text[(open + 1)..^1].Trim().Replace(' ', '-'));
    }
}
