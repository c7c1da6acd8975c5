using LibvirtHook.Config;
using LibvirtHook.Domain;
using LibvirtHook.Platform;
using LibvirtHook.Restart;
using LibvirtHook.Stateless;
using LibvirtHook.Tools;

namespace LibvirtHook.Admin;

/// <summary>Gathers what <c>libvirt-hook status</c> shows, from the configs, the journals, the log and libvirt.</summary>
public sealed class StatusReport(HookPaths paths, ToolPaths tools)
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

    public VmStatus Collect(string name, IReadOnlyList<string> logTail)
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
        var (state, reason) = State(name);
        var domain = PersistentDomain(name);
        var images = journal is null && domain is not null
            ? domain.Disks.Where(d => d.SourceFile is not null).ToDictionary(d => d.Target, d => d.SourceFile!)
            : [];
        var targets = (config?.Disks.Select(d => d.Target) ?? []).Union(journal?.Disks.Select(d => d.Target) ?? []);
        var disks = targets.Select(target =>
        {
            var entry = journal?.Disks.FirstOrDefault(d => d.Target == target);
            var image = entry?.Image ?? images.GetValueOrDefault(target);
            var onOverlay = entry is { State: DiskState.Prepared or DiskState.Saved or DiskState.Restoring or DiskState.Committing };
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
            State = state,
            StateReason = reason,
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
    public IReadOnlyList<string> ReadLogTail()
    {
        if (!File.Exists(paths.LogFile))
            return [];
        using var stream = File.OpenRead(paths.LogFile);
        stream.Seek(Math.Max(0, stream.Length - (4 * 1024 * 1024)), SeekOrigin.Begin);
        return new StreamReader(stream).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string? LastAction(string name, IReadOnlyList<string> logTail)
    {
        var marker = $" vm={Logging.HookLog.Quote(name)} ";
        var line = logTail.LastOrDefault(l => l.Contains(marker, StringComparison.Ordinal));
        if (line is null)
            return null;
        var at = line.IndexOf(marker, StringComparison.Ordinal);
        return line[..line.IndexOf(' ', StringComparison.Ordinal)] + line[(at + marker.Length - 1)..];
    }

    private (string State, string? Reason) State(string name)
    {
        try
        {
            var (state, reason) = RestartPlanner.ParseDomState(new Virsh(tools).DomState(name));
            return (state, reason);
        }
        catch (ToolException)
        {
            return ("unknown", null);
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

    private static Journal? TryLoadJournal(string path)
    {
        try
        {
            return new JournalStore(path).Load();
        }
        catch (StatelessDiskException)
        {
            return null;
        }
    }
}
