namespace LibvirtHook.EndToEnd.Support;

/// <summary>What the tiny guest does once it has counted its boot.</summary>
public enum GuestEnding
{
    Halt,
    PowerOff,
    Reset,
}
