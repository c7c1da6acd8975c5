using LibvirtHook.Domain;

namespace LibvirtHook.Hook;

/// <summary>The shut-off reason release acts on, and where it came from.</summary>
internal sealed record ReleaseReason(ShutoffReason Reason, ReasonSource Source)
{
    private const string Marker = "shutting down, reason=";

    /// <summary>
    /// libvirt 10.5+ passes the reason to <c>release</c>; older versions only append
    /// "shutting down, reason=..." to the domain's log before running the stop hooks.
    /// </summary>
    public static ReleaseReason Find(HookCall call, string domainLogFile)
    {
        if (ShutoffReasons.TryParse(call.Extra, out var passed))
            return new ReleaseReason(passed, ReasonSource.Argument);
        return ShutoffReasons.TryParse(FromDomainLog(domainLogFile), out var logged)
            ? new ReleaseReason(logged, ReasonSource.DomainLog)
            : new ReleaseReason(ShutoffReason.NotKnownYet, ReasonSource.None);
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
        var end = tail.IndexOfAny(['\n', '\r'], start);
        return (end < 0 ? tail[start..] : tail[start..end]).Trim();
    }
}
