namespace LibvirtHook.Platform;

/// <summary>What stat(2) says of a path; <see cref="FileKind.Missing"/> when there is nothing there.</summary>
internal sealed record FileStatus
{
    public required FileKind Kind { get; init; }

    public uint Owner { get; init; }

    public uint Group { get; init; }

    /// <summary>Permission bits only (for example 0644).</summary>
    public int Permissions { get; init; }

    public ulong Device { get; init; }

    public ulong Inode { get; init; }

    public ulong Size { get; init; }

    /// <summary>Space the file takes on disk (st_blocks), which for a sparse overlay is far less than its size.</summary>
    public long AllocatedBytes { get; init; }

    /// <summary>Last status change (ctime, whole seconds): a new link or unlink sets it too.</summary>
    public DateTimeOffset ChangedAt { get; init; }

    public bool Exists => Kind != FileKind.Missing;

    /// <summary>Null when there is nothing there.</summary>
    public FileIdentity? Identity => Exists ? new FileIdentity(Device, Inode) : null;

    public bool Is(FileIdentity? identity) => identity is not null && Identity == identity;

    public bool IsSameFileAs(FileStatus other) =>
        Exists && other.Exists && Device == other.Device && Inode == other.Inode;
}
