using LibvirtHook.Admin.Inventory;

namespace LibvirtHook.Admin.Status;

internal sealed record DiskStatus
{
    public required string Target { get; init; }

    /// <summary>"stateless" while configured; "leftover" for a disk the journal still has but the config no longer names.</summary>
    public required DiskMode Mode { get; init; }

    public bool OneShotCommit { get; init; }

    public string? Image { get; init; }

    /// <summary>True while an overlay sits at the image's path (the VM runs, or was saved, stateless).</summary>
    public bool OnOverlay { get; init; }

    /// <summary>The overlay file's size: how much the guest wrote since it started.</summary>
    public long? OverlayBytes { get; init; }

    /// <summary>The mode as status prints it, the same word as in its JSON.</summary>
    public static string Name(DiskMode mode) => mode switch
    {
        DiskMode.Leftover => "leftover",
        _ => "stateless",
    };
}
