namespace LibvirtHook;

/// <summary>
/// An error the admin can act on. Its message is one sentence (or two) that quotes the values
/// involved and says what to fix; libvirt shows it as the reason a VM did not start.
/// </summary>
internal abstract class LibvirtHookException : Exception
{
    protected LibvirtHookException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
