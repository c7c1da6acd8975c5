namespace LibvirtHook.Tools;

/// <summary>An external program failed; the message names the command, its exit code and its stderr.</summary>
public sealed class ToolException : LibvirtHookException
{
    public ToolException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
