namespace LibvirtHook.Refresh;

/// <summary>The admin's refresh command, parsed.</summary>
internal sealed record RefreshRequest
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    public static readonly TimeSpan DefaultStagger = TimeSpan.FromSeconds(30);

    /// <summary>How long the guest has to power off after the ACPI request before it is destroyed.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>The least time between two VMs' starts, so a fleet does not boot at once.</summary>
    public required TimeSpan Stagger { get; init; }

    /// <summary>Refresh a held VM too.</summary>
    public required bool Force { get; init; }
}
