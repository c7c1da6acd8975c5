namespace LibvirtHook.Admin.Inventory;

/// <summary>Which VMs, at which moment, and the facts that cost a virsh command or a long log read.</summary>
internal sealed record InventoryRequest
{
    /// <summary>These VMs only (those not managed are listed in <see cref="HostInventory.Unmanaged"/>); empty: every managed VM.</summary>
    public IReadOnlyList<string> Only { get; init; } = [];

    public required DateTimeOffset Now { get; init; }

    /// <summary>libvirt's state and reason for each VM (status); otherwise only whether it is active.</summary>
    public bool States { get; init; }

    /// <summary>Every VM's persistent definition (status's and validate's advice); otherwise only where no journal says where an image is.</summary>
    public bool AllDefinitions { get; init; }

    /// <summary>
    /// Failed hook calls this far back (check, metrics): hooks.log is read back to this or the
    /// longest restart window, whichever is longer. Null: the log's tail only (status's last line).
    /// </summary>
    public TimeSpan? ErrorsSince { get; init; }
}
