namespace LibvirtHook.Domain;

/// <summary>What <c>virsh domstate --reason</c> says about a domain, e.g. "shut off (shutdown)".</summary>
internal sealed record DomainState
{
    /// <summary>libvirt's word for the state: "running", "shut off", "paused", ...</summary>
    public required string State { get; init; }

    /// <summary>libvirt's words for why, when it gives them: "booted", "shutdown", "from snapshot".</summary>
    public string? Reason { get; init; }

    public bool IsShutOff => State == "shut off";

    /// <summary>The guest holds its disks: running, or paused with its RAM still in QEMU.</summary>
    public bool IsActive => State is "running" or "paused";

    /// <summary>Why a shut-off domain stopped; <see cref="ShutoffReason.NotKnownYet"/> while it runs or when libvirt names no reason.</summary>
    public ShutoffReason ShutoffReason => IsShutOff && ShutoffReasons.TryParse(Reason, out var reason) ? reason : ShutoffReason.NotKnownYet;

    public static DomainState Parse(string virshOutput)
    {
        var text = virshOutput.Trim();
        var open = text.LastIndexOf('(');
        if (open < 0 || !text.EndsWith(')'))
            return new DomainState { State = text };
        return new DomainState { State = text[..open].Trim(), Reason = text[(open + 1)..^1].Trim() };
    }

    public override string ToString() => Reason is null ? State : $"{State} ({Reason})";
}
