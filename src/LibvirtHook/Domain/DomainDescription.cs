namespace LibvirtHook.Domain;

internal sealed record DomainDescription
{
    public required string Name { get; init; }

    public required string Uuid { get; init; }

    public required IReadOnlyList<DomainDisk> Disks { get; init; }

    public DomainDisk? FindDisk(string target) => Disks.FirstOrDefault(d => d.Target == target);
}
