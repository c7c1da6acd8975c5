namespace LibvirtHook.Stateless;

internal sealed class StatelessDiskException : LibvirtHookException
{
    public StatelessDiskException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
