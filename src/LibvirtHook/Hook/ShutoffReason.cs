namespace LibvirtHook.Hook;

/// <summary>Why a domain stopped, as libvirt names it (shutdown, destroyed, crashed, saved, ...).</summary>
public static class ShutoffReason
{
    private const string Marker = "shutting down, reason=";

    /// <summary>
    /// libvirt 10.5+ passes the reason to <c>release</c>; older versions only append
    /// "shutting down, reason=..." to the domain's log before running the stop hooks.
    /// </summary>
    public static string Find(HookCall call, string domainLogFile)
    {
        if (call.Extra is not ("-" or ""))
            return call.Extra;
        return FromDomainLog(domainLogFile) ?? "unknown";
    }

    public static string? FromDomainLog(string domainLogFile)
    {
        if (!File.Exists(domainLogFile))
            return null;
        using var stream = File.OpenRead(domainLogFile);
        // The line was written moments ago: the log's tail is enough.
        stream.Seek(Math.Max(0, stream.Length - 16 * 1024), SeekOrigin.Begin);
        var tail = new StreamReader(stream).ReadToEnd();
        var at = tail.LastIndexOf(Marker, StringComparison.Ordinal);
        if (at < 0)
            return null;
        var start = at + Marker.Length;
        var end = tail.IndexOfAny(['\n', '\r', ' '], start);
        return (end < 0 ? tail[start..] : tail[start..end]).Trim();
    }
}
