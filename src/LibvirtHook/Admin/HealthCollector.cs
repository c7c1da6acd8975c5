using LibvirtHook.Config;
using LibvirtHook.Domain;
using LibvirtHook.Logging;
using LibvirtHook.Platform;
using LibvirtHook.Restart;
using LibvirtHook.Stateless;
using LibvirtHook.Tools;

namespace LibvirtHook.Admin;

/// <summary>
/// Gathers what check and metrics report. It only reads: configs, journals, holds, restart
/// histories, image headers, hooks.log, and three virsh calls for all VMs together (never one per
/// VM: fifty VMs must take well under a second). It takes no lock: the hook replaces journals by
/// rename, so a read sees a whole one.
/// </summary>
internal sealed class HealthCollector(HookPaths paths, ToolPaths tools)
{
    public FleetHealth Collect(IReadOnlyList<string> only, TimeSpan since, DateTimeOffset now)
    {
        var managed = new StatusReport(paths, tools).ManagedVms();
        var names = only.Count == 0 ? managed : only.Distinct().Where(managed.Contains).ToList();

        var virsh = new Virsh(tools);
        string? libvirtError = null;
        IReadOnlyDictionary<string, string> uuidOf = new Dictionary<string, string>();
        IReadOnlySet<string> active = new HashSet<string>();
        try
        {
            uuidOf = virsh.UuidsByName();
            active = virsh.ActiveUuids();
        }
        catch (ToolException e)
        {
            libvirtError = e.Message;
        }


        var configs = names.ToDictionary(n => n, LoadConfig);
        var journals = names.ToDictionary(n => n, LoadJournal);

        // Where a configured disk's image is when no journal says so: the persistent definition.
        var needXml = names.Where(n => journals[n].Journal is null && configs[n].Config is { Disks.Count: > 0 } && uuidOf.ContainsKey(n)).Select(n => uuidOf[n]).ToList();
        var xmls = libvirtError is null ? virsh.DumpInactiveXmls(needXml) : new Dictionary<string, string>();

        var window = names.Select(n => configs[n].Config?.Restart?.WindowSeconds ?? new RestartPolicy().WindowSeconds).DefaultIfEmpty(0).Max();
        var log = new HookLogReader(paths.LogFile).Since(now - TimeSpan.FromSeconds(Math.Max(since.TotalSeconds, window)));
        var logByVm = log.GroupBy(l => l.Vm).ToDictionary(g => g.Key, g => g.ToList());

        var filesystems = new Dictionary<string, (long? Available, long? Size)>(StringComparer.Ordinal);
        var vms = names.Select(name =>
        {
            var (config, configError) = configs[name];
            var (journal, journalError) = journals[name];
            var domain = uuidOf.TryGetValue(name, out var uuid) && xmls.TryGetValue(uuid, out var xml) ? DomainXml.TryParse(xml) : null;

            var windowSeconds = config?.Restart?.WindowSeconds ?? new RestartPolicy().WindowSeconds;
            var lines = logByVm.GetValueOrDefault(name) ?? [];
            var giveUp = lines.FindLastIndex(LogCatalog.IsCrashLoopGiveUp);
            var gaveUp = giveUp >= 0 && !lines.Skip(giveUp + 1).Any(IsStarted) && lines[giveUp].Time > now - TimeSpan.FromSeconds(windowSeconds)
                ? lines[giveUp].Time
                : (DateTimeOffset?)null;
            return new VmHealth
            {
                Name = name,
                Defined = uuid is not null,
                Running = libvirtError is not null ? null : uuid is not null && active.Contains(uuid),
                ConfigError = configError,
                JournalError = journalError,
                Disks = Disks(name, config, journal, domain, filesystems, now),
                Held = new Holds(paths).IsHeld(name),
                RestartsInWindow = new RestartHistory(paths.RestartHistoryFile(name)).Load().Count(r => r > now - TimeSpan.FromSeconds(windowSeconds)),
                WindowSeconds = windowSeconds,
                GaveUpAt = gaveUp,
                Errors = lines.Where(l => l.Has(LogCatalog.Keys.Outcome, LogCatalog.Outcomes.Error) && l.Time >= now - since).ToList(),
            };
        }).ToList();

        return new FleetHealth
        {
            At = now,
            LibvirtError = libvirtError,
            Vms = vms,
            Unmanaged = only.Distinct().Where(n => !managed.Contains(n)).ToList(),
            Since = since,
        };
    }

    /// <summary>The VM runs again (the worker or an admin started it), so an earlier give-up is over.</summary>
    private static bool IsStarted(LogLine line) => line.Op == "started" && line.Has(LogCatalog.Keys.Outcome, LogCatalog.Outcomes.Ok);

    private List<DiskHealth> Disks(string name, VmConfig? config, Journal? journal, DomainDescription? domain, Dictionary<string, (long? Available, long? Size)> filesystems, DateTimeOffset now)
    {
        var disks = new List<DiskHealth>();
        foreach (var entry in journal?.Disks ?? [])
        {
            disks.Add(Disk(entry.Target, entry.Image, entry.OnOverlay, [], filesystems));
        }

        foreach (var disk in config?.Disks ?? [])
        {
            if (disks.Any(d => d.Target == disk.Target))
                continue;
            var image = domain?.FindDisk(disk.Target)?.SourceFile;
            var strays = image is null
                ? []
                : new[] { JournalEntry.BaseNameFor(image), JournalEntry.NewOverlayNameFor(image) }.Where(File.Exists).ToList();
            // prepare writes its journal before it makes these files: one that exists now while the
            // journal still has no record of the disk is not the hook's work in progress.
            if (strays.Count > 0 && LoadJournal(name).Journal?.Disks.Any(d => d.Target == disk.Target) == true)
                strays = [];
            disks.Add(Disk(disk.Target, image, false, strays, filesystems));
        }

        return disks.Select(d => d with
        {
            LeftoverDiscard = FindLeftoverDiscard(d.Image, now),
            NotRegularFiles = [.. d.NotRegularFiles, .. NotRegularDiscard(d.Image)],
        }).ToList();
    }

    /// <summary>Only the hook makes <c>.stateless-discard</c> names, and only as regular files (lstat: a link is not followed).</summary>
    private static IEnumerable<string> NotRegularDiscard(string? image)
    {
        if (image is null)
            yield break;
        var path = OverlayDiscards.NameFor(image);
        var status = FileSystem.Stat(path);
        if (status.Exists && status.Kind != FileKind.Regular)
        {
            yield return $"\"{path}\" is {KindName(status)}, not an overlay the hook threw away (the hook only ever makes regular files there, and its discard worker leaves anything else alone); someone else put it there: find out who, then remove it.";
        }
    }

    private static string KindName(FileStatus status) => status.Kind switch
    {
        FileKind.Directory => "a directory",
        FileKind.SymbolicLink => "a symbolic link",
        FileKind.BlockDevice => "a block device",
        _ => "not a regular file (a FIFO, a socket or a character device)",
    };

    private static LeftoverDiscard? FindLeftoverDiscard(string? image, DateTimeOffset now)
    {
        if (image is null)
            return null;
        var path = OverlayDiscards.NameFor(image);
        var status = FileSystem.Stat(path);
        return status.Kind == FileKind.Regular && now - status.ChangedAt > LeftoverDiscard.Grace
            ? new LeftoverDiscard { Path = path, AllocatedBytes = status.AllocatedBytes, Since = status.ChangedAt }
            : null;
    }

    private static DiskHealth Disk(string target, string? image, bool onOverlay, IReadOnlyList<string> strays, Dictionary<string, (long? Available, long? Size)> filesystems)
    {
        if (image is null)
            return new DiskHealth { Target = target, Strays = strays };
        // Opened once, without blocking, and judged by the descriptor: a FIFO planted at the
        // image's path must not hang a monitoring run, and is reported instead of read.
        OpenedFile? opened = null;
        string? notRegular = null;
        try
        {
            opened = OpenedFile.Open(image, followSymlinks: true);
            if (opened is { IsRegular: false })
                notRegular = $"image \"{image}\" is {opened.KindName}, not a regular file; prepare refuses to start the VM on it: put the disk's image back.";
        }
        catch (IOException e)
        {
            notRegular = $"image \"{image}\" cannot be opened: {e.Message}";
        }

        using var file = opened;
        var status = file is { IsRegular: true } ? file.Status : new FileStatus { Kind = FileKind.Missing };
        var directory = Path.GetDirectoryName(image) ?? "/";
        if (!filesystems.TryGetValue(directory, out var space))
        {
            try
            {
                var drive = new DriveInfo(directory);
                space = (drive.AvailableFreeSpace, drive.TotalSize);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                space = (null, null);
            }

            filesystems[directory] = space;
        }

        return new DiskHealth
        {
            Target = target,
            Image = image,
            OnOverlay = onOverlay && status.Exists,
            OverlayBytes = onOverlay && status.Exists ? (long)status.Size : null,
            // A base may be raw, whose size is its file's; an overlay is always qcow2.
            VirtualBytes = file is { IsRegular: true } ? Qcow2Header.VirtualSize(file) ?? (onOverlay ? null : (long)status.Size) : null,
            FilesystemAvailableBytes = space.Available,
            FilesystemSizeBytes = space.Size,
            Strays = strays,
            NotRegularFiles = notRegular is null ? [] : [notRegular],
        };
    }

    private (VmConfig? Config, string? Error) LoadConfig(string name)
    {
        try
        {
            return (ConfigFile.Load(paths.ConfigFile(name)), null);
        }
        catch (ConfigException e)
        {
            return (null, e.Message);
        }
    }

    private (Journal? Journal, string? Error) LoadJournal(string name) => new JournalStore(paths.JournalFile(name)).TryLoad();
}
