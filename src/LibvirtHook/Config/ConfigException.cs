namespace LibvirtHook.Config;

internal sealed class ConfigException : LibvirtHookException
{
    public ConfigException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
