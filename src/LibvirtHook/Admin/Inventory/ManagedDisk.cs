using LibvirtHook.Stateless;

namespace LibvirtHook.Admin.Inventory;

/// <summary>One stateless (or leftover) disk of a managed VM and the files beside its image.</summary>
internal sealed record ManagedDisk
{
    public required string Target { get; init; }

    public required DiskMode Mode { get; init; }

    /// <summary>The config asks to keep this session once.</summary>
    public bool OneShotCommit { get; init; }

    /// <summary>Null when neither the journal nor libvirt says where it is.</summary>
    public string? Image { get; init; }

    /// <summary>The journal says an overlay sits at the image's path (the VM runs, or was saved, stateless).</summary>
    public bool RecordedOnOverlay { get; init; }

    /// <summary>The journal says so, and the image's path is a regular file.</summary>
    public bool OnOverlay { get; init; }

    /// <summary>The overlay file's size: what the guest wrote since it started.</summary>
    public long? OverlayBytes { get; init; }

    /// <summary>The disk's size as the guest sees it.</summary>
    public long? VirtualBytes { get; init; }

    /// <summary>Space left to root, and all space, on the filesystem that holds the image (and so the overlay).</summary>
    public long? FilesystemAvailableBytes { get; init; }

    public long? FilesystemSizeBytes { get; init; }

    /// <summary><c>.stateless-base</c> or <c>.stateless-new</c> files the journal does not account for.</summary>
    public IReadOnlyList<StrayFile> Strays { get; init; } = [];

    /// <summary>
    /// Sentences about names the hook expects to be plain files (the image, its
    /// <c>.stateless-discard</c>) that are something else, a FIFO say: never opened for reading, reported.
    /// </summary>
    public IReadOnlyList<string> NotRegularFiles { get; init; } = [];

    /// <summary>A thrown-away overlay the discard worker has not removed long after its release.</summary>
    public LeftoverDiscard? LeftoverDiscard { get; init; }
}
