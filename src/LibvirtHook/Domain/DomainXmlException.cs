namespace LibvirtHook.Domain;

public sealed class DomainXmlException : LibvirtHookException
{
    public DomainXmlException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
