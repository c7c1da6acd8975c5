namespace LibvirtHook.Stateless;

/// <summary>What the hook did to one VM's disks and has not undone yet.</summary>
internal sealed record Journal
{
    public required string Domain { get; init; }

    public required string Uuid { get; init; }

    public required IReadOnlyList<JournalEntry> Disks { get; init; }

    public Journal With(JournalEntry entry) =>
        this with { Disks = Disks.Select(d => d.Target == entry.Target ? entry : d).ToList() };

    public Journal Without(string target) =>
        this with { Disks = Disks.Where(d => d.Target != target).ToList() };
}
