using LibvirtHook.Logging;
using static LibvirtHook.Logging.LogCatalog;

namespace LibvirtHook.EndToEnd.Support;

/// <summary>What the specs look for in hooks.log, read through the log's own catalogue.</summary>
internal static class LogLineExpectations
{
    /// <summary>The last line of a hook call for <paramref name="op"/>, with the given outcome if one is named.</summary>
    public static bool Ended(this LogLine line, string op, string? outcome = null) =>
        line.Op == op && IsCallEnd(line) && (outcome is null || line.Has(Keys.Outcome, outcome));

    /// <summary>The restart worker's line, with the given outcome if one is named.</summary>
    public static bool Restarted(this LogLine line, string? outcome = null) =>
        line.Op == RestartOp && line[Keys.Outcome] is not null && (outcome is null || line.Has(Keys.Outcome, outcome));

    /// <summary>
    /// An error of <paramref name="op"/> about a disk: the call's last line or a per-disk line,
    /// naming the disk by its target (disk= or in the message) or by one of its file names.
    /// </summary>
    public static bool ErrorAbout(this LogLine line, string op, string target, params string[] paths) =>
        line.Op == op && line.Has(Keys.Outcome, Outcomes.Error)
        && (line.Has(Keys.Disk, target)
            || new[] { target }.Concat(paths).Any(n => (line[Keys.Message] ?? "").Contains(n, StringComparison.Ordinal)));

    /// <summary>A per-disk step of <paramref name="op"/>.</summary>
    public static bool DiskStep(this LogLine line, string op, string disk, string action) =>
        line.Op == op && line.Has(Keys.Disk, disk) && line.Has(Keys.Action, action);
}
