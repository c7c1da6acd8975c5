namespace LibvirtHook.Domain;

internal sealed class DomainXmlException : LibvirtHookException
{
    public DomainXmlException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
