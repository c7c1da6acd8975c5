namespace LibvirtHook.Stateless;

/// <summary>Why a disk of a domain XML cannot be stateless, from the XML alone (<see cref="DiskRules.RefusalOf"/>).</summary>
internal enum DiskRefusal
{
    /// <summary>A cdrom, floppy or lun.</summary>
    NotADisk,

    /// <summary>Not <c>type='file'</c>, or no source file (a block device, a network disk, an empty drive).</summary>
    NotAnImageFile,

    /// <summary>QEMU opens it as something else than qcow2 (raw, say), and no raw base was asked for.</summary>
    NotQcow2,

    /// <summary><c>&lt;readonly/&gt;</c>: it never changes.</summary>
    ReadOnly,
}
