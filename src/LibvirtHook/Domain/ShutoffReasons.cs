namespace LibvirtHook.Domain;

/// <summary>Shut-off reasons by name: libvirt's (release argument, domain log, virsh domstate) and the config's.</summary>
internal static class ShutoffReasons
{
    /// <summary>The names a config may list in restart.on and the log writes; saved and migrated never restart.</summary>
    public static IReadOnlyList<ShutoffReason> Restartable { get; } =
        [ShutoffReason.Shutdown, ShutoffReason.Destroyed, ShutoffReason.Crashed, ShutoffReason.Failed, ShutoffReason.Unknown, ShutoffReason.Daemon, ShutoffReason.FromSnapshot];

    /// <summary>The name the config and the log use: libvirt's, with "from snapshot" as "from-snapshot" so it stays one word.</summary>
    public static string Name(this ShutoffReason reason) => reason switch
    {
        ShutoffReason.NotKnownYet => "not-known-yet",
        ShutoffReason.Unknown => "unknown",
        ShutoffReason.Shutdown => "shutdown",
        ShutoffReason.Destroyed => "destroyed",
        ShutoffReason.Crashed => "crashed",
        ShutoffReason.Migrated => "migrated",
        ShutoffReason.Saved => "saved",
        ShutoffReason.Failed => "failed",
        ShutoffReason.FromSnapshot => "from-snapshot",
        ShutoffReason.Daemon => "daemon",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    /// <summary>
    /// Reads a reason as libvirt writes it (release's argument, "shutting down, reason=...",
    /// "shut off (from snapshot)") or as the config and the log write it ("from-snapshot").
    /// </summary>
    public static bool TryParse(string? text, out ShutoffReason reason)
    {
        ShutoffReason? parsed = text?.Trim() switch
        {
            "unknown" => ShutoffReason.Unknown,
            "shutdown" => ShutoffReason.Shutdown,
            "destroyed" => ShutoffReason.Destroyed,
            "crashed" => ShutoffReason.Crashed,
            "migrated" => ShutoffReason.Migrated,
            "saved" => ShutoffReason.Saved,
            "failed" => ShutoffReason.Failed,
            "from snapshot" or "from-snapshot" => ShutoffReason.FromSnapshot,
            "daemon" => ShutoffReason.Daemon,
            "not-known-yet" => ShutoffReason.NotKnownYet,
            _ => null,
        };
        reason = parsed ?? ShutoffReason.NotKnownYet;
        return parsed is not null;
    }

    /// <summary>A saved VM lives on in its saved RAM, a migrated one on another host: neither is ever restarted.</summary>
    public static bool LivesOnElsewhere(this ShutoffReason reason) => reason is ShutoffReason.Saved or ShutoffReason.Migrated;
}
