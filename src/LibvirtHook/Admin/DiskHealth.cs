namespace LibvirtHook.Admin;

/// <summary>One stateless (or leftover) disk, as check and metrics see it.</summary>
internal sealed record DiskHealth
{
    public required string Target { get; init; }

    /// <summary>Null when neither the journal nor libvirt says where it is.</summary>
    public string? Image { get; init; }

    public bool OnOverlay { get; init; }

    public long? OverlayBytes { get; init; }

    /// <summary>The disk's size as the guest sees it.</summary>
    public long? VirtualBytes { get; init; }

    /// <summary>Space left, and all space, on the filesystem that holds the image (and so the overlay).</summary>
    public long? FilesystemAvailableBytes { get; init; }

    public long? FilesystemSizeBytes { get; init; }

    /// <summary><c>.stateless-base</c> or <c>.stateless-new</c> files the journal does not account for.</summary>
    public IReadOnlyList<string> Strays { get; init; } = [];

    /// <summary>
    /// Sentences about names the hook expects to be plain files (the image, its
    /// <c>.stateless-discard</c>) that are something else, a FIFO say: never opened for reading, reported.
    /// </summary>
    public IReadOnlyList<string> NotRegularFiles { get; init; } = [];

    /// <summary>A thrown-away overlay the discard worker has not removed long after its release.</summary>
    public LeftoverDiscard? LeftoverDiscard { get; init; }
}
