using LibvirtHook.Config;

namespace LibvirtHook.Admin.Status;

internal sealed record VmStatus
{
    /// <summary>What <see cref="State"/> says when libvirt did not (it does not know the VM, or did not answer).</summary>
    public const string UnknownState = "unknown";

    public required string Name { get; init; }

    /// <summary>libvirt's state ("running", "shut off", ...), or "unknown" when virsh cannot say.</summary>
    public required string State { get; init; }

    public string? StateReason { get; init; }

    public string? ConfigError { get; init; }

    public required IReadOnlyList<DiskStatus> Disks { get; init; }

    public RestartPolicy? Restart { get; init; }

    public int RestartsInWindow { get; init; }

    public bool Held { get; init; }

    public string? LastAction { get; init; }

    /// <summary>What works but is rarely what the admin wants (a guest reboot that keeps its session, ...).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
