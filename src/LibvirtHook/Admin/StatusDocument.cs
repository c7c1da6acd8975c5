namespace LibvirtHook.Admin;

/// <summary>The stable shape of <c>libvirt-hook status --json</c>.</summary>
public sealed record StatusDocument
{
    public required IReadOnlyList<VmStatus> Vms { get; init; }
}
