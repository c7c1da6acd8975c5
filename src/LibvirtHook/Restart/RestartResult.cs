namespace LibvirtHook.Restart;

public enum RestartResult
{
    Started,
    NotStarted,
    Error,
}
