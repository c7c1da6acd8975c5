using LibvirtHook.Config;
using LibvirtHook.Domain;
using LibvirtHook.Logging;

namespace LibvirtHook.Admin.Inventory;

/// <summary>One VM with a config, or with a journal that outlived its config.</summary>
internal sealed record ManagedVm
{
    public required string Name { get; init; }

    /// <summary>Null when there is no config (a journal outlived it) or it does not load (<see cref="ConfigError"/>).</summary>
    public VmConfig? Config { get; init; }

    public string? ConfigError { get; init; }

    /// <summary>A config file is there, loadable or not (<c>validate</c> checks those).</summary>
    public bool HasConfigFile => Config is not null || ConfigError is not null;

    public string? JournalError { get; init; }

    /// <summary>Null when libvirt does not know the domain (or did not answer).</summary>
    public string? Uuid { get; init; }

    public bool Defined => Uuid is not null;

    /// <summary>Null when libvirt did not answer.</summary>
    public bool? Running { get; init; }

    /// <summary>libvirt's state and reason, when they were asked for (<see cref="InventoryRequest.States"/>).</summary>
    public DomainState? State { get; init; }

    /// <summary>The persistent definition, when it was read (<see cref="InventoryRequest.AllDefinitions"/>, or to find an image no journal names).</summary>
    public DomainDescription? Definition { get; init; }

    public required IReadOnlyList<ManagedDisk> Disks { get; init; }

    public bool Held { get; init; }

    /// <summary>Automatic restarts within the restart window before <see cref="HostInventory.At"/>.</summary>
    public int RestartsInWindow { get; init; }

    /// <summary>The config's restart window, or the default one.</summary>
    public int WindowSeconds { get; init; }

    /// <summary>When the crash-loop guard gave up, if that is still inside the window and the VM has not been started since.</summary>
    public DateTimeOffset? GaveUpAt { get; init; }

    /// <summary>outcome=error lines for this VM within <see cref="HostInventory.Since"/>, oldest first.</summary>
    public IReadOnlyList<LogLine> Errors { get; init; } = [];

    /// <summary>The VM's last line in the part of hooks.log that was read.</summary>
    public LogLine? LastLine { get; init; }
}
