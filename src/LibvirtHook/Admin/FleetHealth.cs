namespace LibvirtHook.Admin;

/// <summary>What check and metrics know about every managed VM of this host at one moment.</summary>
internal sealed record FleetHealth
{
    public required DateTimeOffset At { get; init; }

    /// <summary>Null when libvirtd answered; otherwise why it did not.</summary>
    public string? LibvirtError { get; init; }

    public required IReadOnlyList<VmHealth> Vms { get; init; }

    /// <summary>VMs asked for by name that have neither a config nor a journal.</summary>
    public IReadOnlyList<string> Unmanaged { get; init; } = [];

    /// <summary>How far back hooks.log was read for errors.</summary>
    public required TimeSpan Since { get; init; }
}
