namespace LibvirtHook.Stateless;

public sealed class StatelessDiskException : LibvirtHookException
{
    public StatelessDiskException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
