namespace LibvirtHook.Platform;

/// <summary>
/// Which file a name leads to (device and inode). A name in a directory others can write may
/// lead somewhere else a moment later; the identity recorded when the hook looked is what it
/// checks before it acts on that name again.
/// </summary>
internal sealed record FileIdentity(ulong Device, ulong Inode)
{
    public override string ToString() => $"device {Device >> 32}:{Device & 0xFFFFFFFF}, inode {Inode}";
}
