using LibvirtHook.Domain;

namespace LibvirtHook.Tools;

/// <summary>What one virsh process said about many domains, by UUID; a domain that vanished meanwhile is missing.</summary>
internal sealed record DomainSurvey
{
    public required IReadOnlyDictionary<string, DomainState> States { get; init; }

    /// <summary>Persistent definitions (<c>dumpxml --inactive</c>).</summary>
    public required IReadOnlyDictionary<string, string> Definitions { get; init; }

    public static DomainSurvey None { get; } = new() { States = new Dictionary<string, DomainState>(), Definitions = new Dictionary<string, string>() };
}
