using LibvirtHook.Config;
using LibvirtHook.Domain;
using LibvirtHook.Logging;
using LibvirtHook.Platform;
using LibvirtHook.Restart;
using LibvirtHook.Stateless;
using LibvirtHook.Tools;

namespace LibvirtHook.Admin.Inventory;

/// <summary>
/// Takes the <see cref="HostInventory"/>. It only reads: configs, journals, holds, restart
/// histories, image headers, hooks.log, and two virsh processes for all VMs together (one per VM
/// costs ~30 ms: fifty VMs must take well under a second). It takes no lock: the hook replaces
/// journals by rename, so a read sees a whole one.
/// </summary>
internal sealed class InventoryReader(HookPaths paths, ToolPaths tools)
{
    /// <summary>The VMs with a config file (loadable or not), by name, in order.</summary>
    public IReadOnlyList<string> ConfiguredVms() =>
        Directory.Exists(paths.ConfigDirectory)
            ? [.. Directory.GetFiles(paths.ConfigDirectory, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>Every managed VM: those with a config, and those whose journal outlived theirs.</summary>
    public IReadOnlyList<string> ManagedVms()
    {
        var names = new SortedSet<string>(ConfiguredVms(), StringComparer.Ordinal);
        if (Directory.Exists(paths.StateDirectory))
        {
            foreach (var file in Directory.GetFiles(paths.StateDirectory, "*.journal.json"))
            {
                if (new JournalStore(file).TryLoad().Journal?.Domain is { Length: > 0 } domain)
                    names.Add(domain);
            }
        }

        return [.. names];
    }

    public HostInventory Take(InventoryRequest request)
    {
        var now = request.Now;
        var managed = ManagedVms();
        var names = request.Only.Count == 0 ? managed : request.Only.Distinct().Where(managed.Contains).ToList();
        var configs = names.ToDictionary(n => n, LoadConfig);
        var journals = names.ToDictionary(n => n, LoadJournal);

        var virsh = new Virsh(tools);
        string? libvirtError = null;
        var domains = LibvirtDomains.None;
        var survey = DomainSurvey.None;
        try
        {
            domains = virsh.Domains();
            var uuids = names.Where(domains.UuidOf.ContainsKey).ToDictionary(n => n, n => domains.UuidOf[n]);
            // Where a configured disk's image is when no journal says so: the persistent definition.
            var definitionsOf = request.AllDefinitions
                ? uuids.Values.ToList()
                : uuids.Where(p => journals[p.Key].Journal is null && configs[p.Key].Config is { Disks.Count: > 0 }).Select(p => p.Value).ToList();
            survey = virsh.Survey(request.States ? [.. uuids.Values] : [], definitionsOf);
        }
        catch (ToolException e)
        {
            // libvirtd does not answer: the files still tell most of the story.
            libvirtError = e.Message;
        }

        var longestWindow = names.Select(n => WindowSeconds(configs[n].Config)).DefaultIfEmpty(0).Max();
        var log = request.ErrorsSince is { } since
            ? new HookLogReader(paths.LogFile).Since(now - TimeSpan.FromSeconds(Math.Max(since.TotalSeconds, longestWindow)))
            : new HookLogReader(paths.LogFile).Tail();
        var logByVm = log.GroupBy(l => l.Vm).ToDictionary(g => g.Key, g => g.ToList());

        var filesystems = new Dictionary<string, (long? Available, long? Size)>(StringComparer.Ordinal);
        var vms = names.Select(name =>
        {
            var (config, configError) = configs[name];
            var (journal, journalError) = journals[name];
            var uuid = domains.UuidOf.GetValueOrDefault(name);
            var definition = uuid is not null && survey.Definitions.TryGetValue(uuid, out var xml) ? DomainXml.TryParse(xml) : null;
            var windowSeconds = WindowSeconds(config);
            var lines = logByVm.GetValueOrDefault(name) ?? [];
            var giveUp = lines.FindLastIndex(LogCatalog.IsCrashLoopGiveUp);
            return new ManagedVm
            {
                Name = name,
                Config = config,
                ConfigError = configError,
                JournalError = journalError,
                Uuid = uuid,
                Running = libvirtError is not null ? null : uuid is not null && domains.Active.Contains(uuid),
                State = uuid is null ? null : survey.States.GetValueOrDefault(uuid),
                Definition = definition,
                Disks = Disks(name, config, journal, definition, filesystems, now),
                Held = new Holds(paths).IsHeld(name),
                RestartsInWindow = new RestartHistory(paths.RestartHistoryFile(name)).Load().Count(r => r > now - TimeSpan.FromSeconds(windowSeconds)),
                WindowSeconds = windowSeconds,
                GaveUpAt = giveUp >= 0 && !lines.Skip(giveUp + 1).Any(LogCatalog.IsStartedAgain) && lines[giveUp].Time > now - TimeSpan.FromSeconds(windowSeconds)
                    ? lines[giveUp].Time
                    : null,
                Errors = request.ErrorsSince is { } period ? [.. lines.Where(l => l.Has(LogCatalog.Keys.Outcome, LogCatalog.Outcomes.Error) && l.Time >= now - period)] : [],
                LastLine = lines.Count > 0 ? lines[^1] : null,
            };
        }).ToList();

        return new HostInventory
        {
            At = now,
            LibvirtError = libvirtError,
            Vms = vms,
            Unmanaged = [.. request.Only.Distinct().Where(n => !managed.Contains(n))],
            Since = request.ErrorsSince ?? TimeSpan.Zero,
        };
    }

    private static int WindowSeconds(VmConfig? config) => (config?.Restart ?? RestartPolicy.Default).WindowSeconds;

    /// <summary>The config's disks first (in its order), then those only the journal still has.</summary>
    private List<ManagedDisk> Disks(string name, VmConfig? config, Journal? journal, DomainDescription? definition, Dictionary<string, (long? Available, long? Size)> filesystems, DateTimeOffset now)
    {
        var targets = (config?.Disks.Select(d => d.Target) ?? []).Union(journal?.Disks.Select(d => d.Target) ?? []);
        return targets.Select(target =>
        {
            var entry = journal?.Disks.FirstOrDefault(d => d.Target == target);
            var configured = config?.FindDisk(target);
            // No journal: libvirt's persistent definition says where the image is.
            var image = entry?.Image ?? (journal is null ? definition?.FindDisk(target)?.SourceFile : null);
            var strays = entry is null && configured is not null && image is not null
                ? StrayFile.Find(image, paths.JournalFile(name), path => FileSystem.Stat(path).Exists)
                : [];
            // prepare writes its journal before it makes these files: one that exists now while the
            // journal still has no record of the disk is not the hook's work in progress.
            if (strays.Count > 0 && LoadJournal(name).Journal?.Disks.Any(d => d.Target == target) == true)
                strays = [];
            return Disk(target, image, entry?.OnOverlay ?? false, filesystems, now) with
            {
                Mode = configured is null ? DiskMode.Leftover : DiskMode.Stateless,
                OneShotCommit = configured?.OneShotCommit ?? false,
                Strays = strays,
            };
        }).ToList();
    }

    private static ManagedDisk Disk(string target, string? image, bool onOverlay, Dictionary<string, (long? Available, long? Size)> filesystems, DateTimeOffset now)
    {
        if (image is null)
            return new ManagedDisk { Target = target, Mode = DiskMode.Stateless, RecordedOnOverlay = onOverlay };
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
        var (available, size) = Space(Path.GetDirectoryName(image) ?? "/", filesystems);
        return new ManagedDisk
        {
            Target = target,
            Mode = DiskMode.Stateless,
            Image = image,
            RecordedOnOverlay = onOverlay,
            OnOverlay = onOverlay && status.Exists,
            OverlayBytes = onOverlay && status.Exists ? (long)status.Size : null,
            // A base may be raw, whose size is its file's; an overlay is always qcow2.
            VirtualBytes = file is { IsRegular: true } ? Qcow2Header.VirtualSize(file) ?? (onOverlay ? null : (long)status.Size) : null,
            FilesystemAvailableBytes = available,
            FilesystemSizeBytes = size,
            NotRegularFiles = [.. notRegular is null ? [] : new[] { notRegular }, .. NotRegularDiscard(image)],
            LeftoverDiscard = FindLeftoverDiscard(image, now),
        };
    }

    private static (long? Available, long? Size) Space(string directory, Dictionary<string, (long? Available, long? Size)> filesystems)
    {
        if (filesystems.TryGetValue(directory, out var space))
            return space;
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
        return space;
    }

    /// <summary>Only the hook makes <c>.stateless-discard</c> names, and only as regular files (lstat: a link is not followed).</summary>
    private static IEnumerable<string> NotRegularDiscard(string image)
    {
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

    private static LeftoverDiscard? FindLeftoverDiscard(string image, DateTimeOffset now)
    {
        var path = OverlayDiscards.NameFor(image);
        var status = FileSystem.Stat(path);
        return status.Kind == FileKind.Regular && now - status.ChangedAt > LeftoverDiscard.Grace
            ? new LeftoverDiscard { Path = path, AllocatedBytes = status.AllocatedBytes, Since = status.ChangedAt }
            : null;
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
