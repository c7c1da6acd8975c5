namespace LibvirtHook.Refresh;

/// <summary>What refresh does with one VM, decided from what it found before touching it.</summary>
internal enum RefreshStep
{
    /// <summary>Shut it down (destroy at the timeout) and start it again.</summary>
    StopAndStart,

    /// <summary>Held and not forced: left alone.</summary>
    LeaveHeld,

    /// <summary>Shut off: stays off.</summary>
    LeaveOff,
}
