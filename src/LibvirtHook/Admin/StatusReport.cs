using LibvirtHook.Config;
using LibvirtHook.Domain;
using LibvirtHook.Logging;
using LibvirtHook.Platform;
using LibvirtHook.Restart;
using LibvirtHook.Stateless;
using LibvirtHook.Tools;

namespace LibvirtHook.Admin;

/// <summary>Gathers what <c>libvirt-hook status</c> shows, from the configs, the journals, the log and libvirt.</summary>
internal sealed class StatusReport(HookPaths paths, ToolPaths tools)
{
    /// <summary>Every managed VM: those with a config, and those whose journal outlived theirs.</summary>
    public IReadOnlyList<string> ManagedVms()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        if (Directory.Exists(paths.ConfigDirectory))
        {
            foreach (var file in Directory.GetFiles(paths.ConfigDirectory, "*.json"))
                names.Add(Path.GetFileNameWithoutExtension(file));
        }

        if (Directory.Exists(paths.StateDirectory))
        {
            foreach (var file in Directory.GetFiles(paths.StateDirectory, "*.journal.json"))
            {
                if (TryLoadJournal(file)?.Domain is { Length: > 0 } domain)
                    names.Add(domain);
            }
        }

        return [.. names];
    }

    public VmStatus Collect(string name, IReadOnlyList<LogLine> logTail)
    {
        VmConfig? config = null;
        string? configError = null;
        try
        {
            config = ConfigFile.Load(paths.ConfigFile(name));
        }
        catch (ConfigException e)
        {
            configError = e.Message;
        }

        var journal = TryLoadJournal(paths.JournalFile(name));
        var state = State(name);
        var domain = PersistentDomain(name);
        var images = journal is null && domain is not null
            ? domain.Disks.Where(d => d.SourceFile is not null).ToDictionary(d => d.Target, d => d.SourceFile!)
            : [];
        var targets = (config?.Disks.Select(d => d.Target) ?? []).Union(journal?.Disks.Select(d => d.Target) ?? []);
        var disks = targets.Select(target =>
        {
            var entry = journal?.Disks.FirstOrDefault(d => d.Target == target);
            var image = entry?.Image ?? images.GetValueOrDefault(target);
            var onOverlay = entry?.OnOverlay ?? false;
            return new DiskStatus
            {
                Target = target,
                Mode = config?.FindDisk(target) is null ? "leftover" : "stateless",
                OneShotCommit = config?.FindDisk(target)?.OneShotCommit ?? false,
                Image = image,
                OnOverlay = onOverlay,
                OverlayBytes = onOverlay && image is not null ? (long)FileSystem.Stat(image, followSymlinks: true).Size : null,
            };
        }).ToList();

        var window = TimeSpan.FromSeconds(config?.Restart?.WindowSeconds ?? new RestartPolicy().WindowSeconds);
        return new VmStatus
        {
            Name = name,
            State = state?.State ?? "unknown",
            StateReason = state?.Reason,
            ConfigError = configError,
            Disks = disks,
            Restart = config?.Restart,
            RestartsInWindow = new RestartHistory(paths.RestartHistoryFile(name)).Load().Count(r => r > DateTimeOffset.UtcNow - window),
            Held = new Holds(paths).IsHeld(name),
            LastAction = LastAction(name, logTail),
            Warnings = config is not null && domain is not null && RebootAdvice.Warning(name, domain, config) is { } warning ? [warning] : [],
        };
    }

    /// <summary>The end of hooks.log: enough for every VM's last action, without reading a huge file whole.</summary>
    public IReadOnlyList<LogLine> ReadLogTail() => new HookLogReader(paths.LogFile).Tail();

    private static string? LastAction(string name, IReadOnlyList<LogLine> logTail) =>
        logTail.LastOrDefault(l => l.Vm == name)?.Summary();

    /// <returns>Null when virsh cannot say (libvirtd down, domain undefined).</returns>
    private DomainState? State(string name)
    {
        try
        {
            return new Virsh(tools).DomState(name);
        }
        catch (ToolException)
        {
            return null;
        }
    }

    private DomainDescription? PersistentDomain(string name)
    {
        try
        {
            return DomainXml.Parse(new Virsh(tools).DumpInactiveXml(name));
        }
        catch (LibvirtHookException)
        {
            return null;
        }
    }

    private static Journal? TryLoadJournal(string path) => new JournalStore(path).TryLoad().Journal;
}
