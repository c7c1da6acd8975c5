namespace LibvirtHook.Tools;

/// <summary>Every domain libvirt knows, and which of them are active, as one virsh process saw them.</summary>
internal sealed record LibvirtDomains
{
    /// <summary>Name to UUID, running or not.</summary>
    public required IReadOnlyDictionary<string, string> UuidOf { get; init; }

    /// <summary>The UUIDs of active domains (running, paused, ...: <c>virsh list</c>).</summary>
    public required IReadOnlySet<string> Active { get; init; }

    public static LibvirtDomains None { get; } = new() { UuidOf = new Dictionary<string, string>(), Active = new HashSet<string>() };
}
