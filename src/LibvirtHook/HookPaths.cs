namespace LibvirtHook;

/// <summary>Every path the hook reads or writes. Production uses <see cref="Default"/>; tests pass their own.</summary>
internal sealed record HookPaths
{
    public static HookPaths Default { get; } = new()
    {
        ConfigDirectory = "/etc/libvirt/hooks/config",
        // Inside libvirt's own state tree: it is per host, survives reboots, and the test
        // harness already mounts a private tmpfs over it.
        StateDirectory = "/var/lib/libvirt/libvirt-hook",
        LogFile = "/var/log/libvirt/qemu/hooks.log",
        DomainLogDirectory = "/var/log/libvirt/qemu",
    };

    public required string ConfigDirectory { get; init; }

    public required string StateDirectory { get; init; }

    public required string LogFile { get; init; }

    public required string DomainLogDirectory { get; init; }

    /// <summary>
    /// Where libvirt keeps managed-save images (<c>virsh managedsave</c>): the evidence that backs a
    /// "saved" in the domain log (see <see cref="Hook.ReleaseReason"/>).
    /// </summary>
    public string ManagedSaveDirectory { get; init; } = "/var/lib/libvirt/qemu/save";

    /// <summary>The admin-facing file keeps the domain name verbatim: that is what admins type.</summary>
    public string ConfigFile(string domain) => Path.Combine(ConfigDirectory, domain + ".json");

    public string JournalFile(string domain) => Path.Combine(StateDirectory, FileNames.Escape(domain) + ".journal.json");

    public string LockFile(string domain) => Path.Combine(StateDirectory, FileNames.Escape(domain) + ".lock");

    public string RestartHistoryFile(string domain) => Path.Combine(StateDirectory, FileNames.Escape(domain) + ".restarts.json");

    /// <summary>Held by a pending restart worker for its whole life: at most one per VM.</summary>
    public string RestartLockFile(string domain) => Path.Combine(StateDirectory, FileNames.Escape(domain) + ".restart.lock");

    /// <summary>Present while an admin holds the VM down (<c>libvirt-hook hold</c>).</summary>
    public string HoldFile(string domain) => Path.Combine(StateDirectory, FileNames.Escape(domain) + ".hold");

    /// <summary>Locked by <c>libvirt-hook refresh</c> while it stops and starts the VM; the restart feature stands aside.</summary>
    public string RefreshFile(string domain) => Path.Combine(StateDirectory, FileNames.Escape(domain) + ".refresh");

    public string DomainLogFile(string domain) => Path.Combine(DomainLogDirectory, domain + ".log");

    public string ManagedSaveFile(string domain) => Path.Combine(ManagedSaveDirectory, domain + ".save");
}
