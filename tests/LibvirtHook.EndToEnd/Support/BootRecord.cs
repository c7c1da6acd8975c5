namespace LibvirtHook.EndToEnd.Support;

/// <summary>One line the guest printed: the BIOS drive and the counter it found there before adding one.</summary>
public sealed record BootRecord(int Drive, uint Seen);
