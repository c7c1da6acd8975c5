namespace LibvirtHook.Domain;

/// <summary>One <c>&lt;disk&gt;</c> of a domain XML, as far as the hook cares.</summary>
internal sealed record DomainDisk
{
    /// <summary><c>&lt;target dev=.../&gt;</c>, the name configs refer to (vda, sdb, ...).</summary>
    public required string Target { get; init; }

    /// <summary><c>device=</c>: disk, cdrom, floppy, lun.</summary>
    public required string Device { get; init; }

    /// <summary><c>type=</c>: file, block, network, volume, dir, nvme.</summary>
    public required string Type { get; init; }

    /// <summary><c>&lt;source file=.../&gt;</c>; null for other source kinds or an empty drive.</summary>
    public string? SourceFile { get; init; }

    /// <summary><c>&lt;driver type=.../&gt;</c>: the format QEMU opens the image with.</summary>
    public string? DriverType { get; init; }

    public bool ReadOnly { get; init; }
}
