using LibvirtHook.Domain;

namespace LibvirtHook.Hook;

/// <summary>The shut-off reason release acts on, and where it came from.</summary>
internal sealed record ReleaseReason(ShutoffReason Reason, ReasonSource Source)
{
    private const string Marker = "shutting down, reason=";

    /// <summary>
    /// libvirt 10.5+ passes the reason to <c>release</c>, and that is believed. Older versions only
    /// append "TIME: shutting down, reason=..." to the domain's log, and then kill QEMU, whose
    /// stderr goes to the same file: QEMU can append a line of its own after libvirt's (or a
    /// guest that escaped into it can). So a reason from the log is only a claim:
    /// <c>saved</c> (keep the overlay for a restore) is believed only when libvirt's managed-save
    /// image for the domain exists (<paramref name="managedSaveFile"/>, in a directory only root
    /// writes), and any other reason is never allowed to cause a restart by itself
    /// (<see cref="TrustedForRestart"/>: the worker asks libvirt once the VM is off).
    /// </summary>
    public static ReleaseReason Find(HookCall call, string domainLogFile, string managedSaveFile)
    {
        if (ShutoffReasons.TryParse(call.Extra, out var passed))
            return new ReleaseReason(passed, ReasonSource.Argument);
        if (!ShutoffReasons.TryParse(FromDomainLog(domainLogFile), out var logged))
            return new ReleaseReason(ShutoffReason.NotKnownYet, ReasonSource.None);
        var saveImage = IsManagedSaveImage(managedSaveFile);
        if (logged == ShutoffReason.Saved && !saveImage)
            return new ReleaseReason(ShutoffReason.NotKnownYet, ReasonSource.DomainLogNotBelieved);
        // Discarding the overlay under a saved RAM image would corrupt the restored guest.
        if (logged != ShutoffReason.Saved && saveImage)
            return new ReleaseReason(ShutoffReason.Saved, ReasonSource.ManagedSaveImage);
        return new ReleaseReason(logged, ReasonSource.DomainLog);
    }

    /// <summary>Only libvirt's argument may decide a restart at release; a logged reason goes to the worker, which asks libvirt.</summary>
    public bool TrustedForRestart => Source == ReasonSource.Argument;

    /// <summary>
    /// libvirt writes the managed-save image (as root, in a root-only directory) before it stops
    /// QEMU, and removes it when the domain is restored or started afresh.
    /// </summary>
    private static bool IsManagedSaveImage(string path) =>
        Platform.FileSystem.Stat(path) is { Kind: Platform.FileKind.Regular, Owner: 0 };

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
