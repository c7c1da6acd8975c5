namespace LibvirtHook.Admin;

/// <summary>One managed VM, as check and metrics see it.</summary>
internal sealed record VmHealth
{
    public required string Name { get; init; }

    /// <summary>Null when libvirt does not know the domain (or did not answer).</summary>
    public bool? Running { get; init; }

    public bool Defined { get; init; }

    public string? ConfigError { get; init; }

    public string? JournalError { get; init; }

    public required IReadOnlyList<DiskHealth> Disks { get; init; }

    public bool Held { get; init; }

    public int RestartsInWindow { get; init; }

    public int WindowSeconds { get; init; }

    /// <summary>When the crash-loop guard gave up, if that is still inside the window and the VM has not been started since.</summary>
    public DateTimeOffset? GaveUpAt { get; init; }

    /// <summary>outcome=error lines for this VM within the checked period, oldest first.</summary>
    public IReadOnlyList<Logging.LogLine> Errors { get; init; } = [];
}
