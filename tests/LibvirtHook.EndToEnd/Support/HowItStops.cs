namespace LibvirtHook.EndToEnd.Support;

/// <summary>The ways ShutoffReasonSpecs makes a VM stop, each with its own shut-off reason.</summary>
public enum HowItStops
{
    /// <summary>The guest powers itself off (ACPI power-off port): "shutdown".</summary>
    GuestPowerOff,

    /// <summary>The guest resets itself and on_reboot is destroy: "shutdown".</summary>
    GuestResetWithOnRebootDestroy,

    /// <summary><c>virsh destroy</c>: "destroyed".</summary>
    VirshDestroy,

    /// <summary><c>virsh managedsave</c>: "saved".</summary>
    ManagedSave,

    /// <summary>QEMU killed with SIGKILL while libvirtd runs: "crashed".</summary>
    KilledQemu,

    /// <summary>A start QEMU cannot complete (an option it does not know): "failed".</summary>
    FailedStart,
}
