namespace LibvirtHook.Refresh;

/// <summary>What refresh did to one VM (or why it did nothing): the log line's <c>action=</c>.</summary>
internal enum RefreshAction
{
    /// <summary>The guest powered off on the ACPI request within the timeout.</summary>
    ShutDown,

    /// <summary>The guest was still running at the timeout, so refresh destroyed it.</summary>
    DestroyedAfterTimeout,

    /// <summary>An admin holds the VM (<c>libvirt-hook hold</c>) and refresh was not forced.</summary>
    LeftHeld,

    /// <summary>It was shut off: a VM that is off stays off.</summary>
    NotRunning,
}
