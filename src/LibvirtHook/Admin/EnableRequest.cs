namespace LibvirtHook.Admin;

/// <summary>What the admin asked <c>libvirt-hook enable</c> for.</summary>
internal sealed record EnableRequest
{
    public required string Name { get; init; }

    /// <summary>Empty: every file-backed qcow2 disk of the domain.</summary>
    public IReadOnlyList<string> Disks { get; init; } = [];

    public bool Restart { get; init; }

    public bool ColdReboot { get; init; }

    public bool Force { get; init; }
}
