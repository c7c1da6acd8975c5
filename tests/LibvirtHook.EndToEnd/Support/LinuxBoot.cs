namespace LibvirtHook.EndToEnd.Support;

/// <summary>
/// One boot of the Linux guest as it printed it: the boot count it wrote (one more than it
/// found on its disk), its random session id, and the files on its disk after it wrote its own.
/// </summary>
public sealed record LinuxBoot(int Boot, string Session, IReadOnlyList<string> Files)
{
    /// <summary>The file this boot wrote: <c>s&lt;boot&gt;-&lt;session&gt;</c>.</summary>
    public string SessionFile => $"s{Boot}-{Session}";
}
