namespace LibvirtHook.Refresh;

/// <summary>What refresh did to one VM and how long each part took: its one log line and its line of output.</summary>
internal sealed record RefreshOutcome
{
    /// <summary>Null when refresh failed before it acted on the VM.</summary>
    public RefreshAction? Action { get; init; }

    /// <summary>True once virsh start returned: the VM runs on fresh overlays.</summary>
    public bool Started { get; init; }

    /// <summary>Why nothing was done, or the error's message when <see cref="Failed"/>.</summary>
    public string? Why { get; init; }

    public bool Failed { get; init; }

    /// <summary>From the shutdown request until libvirt said "shut off" (destroy included).</summary>
    public long? StopMs { get; init; }

    /// <summary>From "shut off" until virsh start returned: how long the VM was down.</summary>
    public long? DownMs { get; init; }

    public required long TotalMs { get; init; }
}
