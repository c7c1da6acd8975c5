namespace LibvirtHook.Platform;

public enum FileKind
{
    Missing,
    Regular,
    Directory,
    SymbolicLink,
    BlockDevice,
    Other,
}
