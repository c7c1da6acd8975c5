namespace LibvirtHook.Admin.Inventory;

/// <summary>
/// What the admin side knows about this host's managed VMs at one moment (<see cref="At"/>):
/// configs and journals with their errors as values, libvirt's answers, holds, restart windows,
/// hooks.log, and the files beside each stateless image. status, check, metrics and validate
/// render it or decide over it; <see cref="InventoryReader"/> is its only reader.
/// </summary>
internal sealed record HostInventory
{
    public required DateTimeOffset At { get; init; }

    /// <summary>Null when libvirtd answered; otherwise why it did not.</summary>
    public string? LibvirtError { get; init; }

    public required IReadOnlyList<ManagedVm> Vms { get; init; }

    /// <summary>VMs asked for by name that have neither a config nor a journal.</summary>
    public IReadOnlyList<string> Unmanaged { get; init; } = [];

    /// <summary>How far back hooks.log was read for failed calls (<see cref="ManagedVm.Errors"/>).</summary>
    public TimeSpan Since { get; init; }
}
