namespace LibvirtHook.Restart;

internal enum RestartResult
{
    Started,
    NotStarted,
    Error,
}
