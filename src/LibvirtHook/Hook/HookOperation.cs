namespace LibvirtHook.Hook;

/// <summary>
/// What libvirtd is doing to the domain (argv[2] of a hook call). <see cref="Other"/> is any word
/// this build does not know: libvirt adds operations, and the hook lets them pass.
/// </summary>
internal enum HookOperation
{
    Other,
    Prepare,
    Start,
    Started,
    Stopped,
    Release,
    Migrate,
    Restore,
    Reconnect,
    Attach,
}
