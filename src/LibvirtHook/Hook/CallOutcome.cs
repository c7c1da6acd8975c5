using LibvirtHook.Restart;

namespace LibvirtHook.Hook;

/// <summary>What one successful hook call did: the call's last log line is made from it.</summary>
internal sealed record CallOutcome
{
    public static CallOutcome Nothing { get; } = new() { Action = HookAction.None };

    public required HookAction Action { get; init; }

    /// <summary>Stateless disks prepared.</summary>
    public int? Disks { get; init; }

    /// <summary>For release: why the domain stopped, and how the hook learnt it.</summary>
    public ReleaseReason? Reason { get; init; }

    /// <summary>For release with a restart policy: whether a worker was handed the restart.</summary>
    public RestartHandoff? Restart { get; init; }

    /// <summary>Why nothing was done, where that is not obvious.</summary>
    public string? Why { get; init; }
}
