namespace LibvirtHook.Platform;

internal enum FileKind
{
    Missing,
    Regular,
    Directory,
    SymbolicLink,
    BlockDevice,
    Other,
}
