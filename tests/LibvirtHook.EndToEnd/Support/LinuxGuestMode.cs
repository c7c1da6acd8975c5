namespace LibvirtHook.EndToEnd.Support;

/// <summary>What the Linux guest's /init does once it has counted its boot (<c>lhg=</c> on its kernel command line).</summary>
public enum LinuxGuestMode
{
    /// <summary><c>reboot -f</c>: a guest reset, a shut-off with <c>on_reboot=destroy</c>.</summary>
    Reboot,

    /// <summary><c>poweroff -f</c>.</summary>
    PowerOff,

    /// <summary>Prints <c>GUEST ready</c>, waits for the ACPI power button, then syncs, unmounts and powers off.</summary>
    Acpi,

    /// <summary>Writes zeroes until its disk is full, prints <c>GUEST filled-kib=N</c>, then as <see cref="Acpi"/>.</summary>
    Fill,
}
