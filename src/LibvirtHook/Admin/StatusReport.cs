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

    /// <summary>
    /// Each VM's status. libvirt is asked with three virsh processes for all of them together
    /// (one per VM costs ~30 ms each); when it does not answer, states read "unknown".
    /// </summary>
    public IReadOnlyList<VmStatus> Collect(IReadOnlyList<string> names)
    {
        var logTail = new HookLogReader(paths.LogFile).Tail();
        var virsh = new Virsh(tools);
        IReadOnlyDictionary<string, string> uuidOf = new Dictionary<string, string>();
        IReadOnlyDictionary<string, DomainState> states = new Dictionary<string, DomainState>();
        IReadOnlyDictionary<string, string> xmls = new Dictionary<string, string>();
        try
        {
            uuidOf = virsh.UuidsByName();
            var uuids = names.Where(uuidOf.ContainsKey).Select(n => uuidOf[n]).ToList();
            states = virsh.DomStates(uuids);
            xmls = virsh.DumpInactiveXmls(uuids);
        }
        catch (ToolException)
        {
            // libvirtd does not answer: the rest of the status still helps.
        }

        return names.Select(name =>
        {
            var uuid = uuidOf.GetValueOrDefault(name);
            return Collect(name, logTail, uuid is null ? null : states.GetValueOrDefault(uuid), uuid is not null && xmls.TryGetValue(uuid, out var xml) ? DomainXml.TryParse(xml) : null);
        }).ToList();
    }

    private VmStatus Collect(string name, IReadOnlyList<LogLine> logTail, DomainState? state, DomainDescription? domain)
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

    private static string? LastAction(string name, IReadOnlyList<LogLine> logTail) =>
        logTail.LastOrDefault(l => l.Vm == name)?.Summary();

    private static Journal? TryLoadJournal(string path) => new JournalStore(path).TryLoad().Journal;
}
