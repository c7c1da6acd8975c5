namespace LibvirtHook.Admin.Status;

/// <summary>The stable shape of <c>libvirt-hook status --json</c>.</summary>
internal sealed record StatusDocument
{
    public required IReadOnlyList<VmStatus> Vms { get; init; }
}
