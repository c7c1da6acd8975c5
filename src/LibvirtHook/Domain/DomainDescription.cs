namespace LibvirtHook.Domain;

internal sealed record DomainDescription
{
    public required string Name { get; init; }

    public required string Uuid { get; init; }

    public required IReadOnlyList<DomainDisk> Disks { get; init; }

    /// <summary><c>&lt;on_reboot&gt;</c>: what libvirt does when the guest reboots itself ("restart" when absent, libvirt's default).</summary>
    public string OnReboot { get; init; } = "restart";

    /// <summary>A guest's own reboot is a power-off, so a stateless session ends with it.</summary>
    public bool RebootIsColdBoot => OnReboot == "destroy";

    public DomainDisk? FindDisk(string target) => Disks.FirstOrDefault(d => d.Target == target);
}
