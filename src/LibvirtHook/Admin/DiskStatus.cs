namespace LibvirtHook.Admin;

internal sealed record DiskStatus
{
    public required string Target { get; init; }

    /// <summary>"stateless" while configured; "leftover" for a disk the journal still has but the config no longer names.</summary>
    public required string Mode { get; init; }

    public bool OneShotCommit { get; init; }

    public string? Image { get; init; }

    /// <summary>True while an overlay sits at the image's path (the VM runs, or was saved, stateless).</summary>
    public bool OnOverlay { get; init; }

    /// <summary>The overlay file's size: how much the guest wrote since it started.</summary>
    public long? OverlayBytes { get; init; }
}
