namespace LibvirtHook.Admin.Onboarding;

/// <summary>What the admin asked <c>libvirt-hook enable</c> for.</summary>
internal sealed record EnableRequest
{
    public required string Name { get; init; }

    /// <summary>Empty: every file-backed qcow2 disk of the domain.</summary>
    public IReadOnlyList<string> Disks { get; init; } = [];

    public bool Restart { get; init; }

    public bool ColdReboot { get; init; }

    /// <summary>Disks whose domain XML says raw become stateless over their raw image (<c>base-format</c>), their driver set to qcow2.</summary>
    public bool RawBase { get; init; }

    public bool Force { get; init; }
}
