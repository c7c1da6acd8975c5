using System.Diagnostics;
using LibvirtHook.Config;
using LibvirtHook.Domain;
using LibvirtHook.Logging;
using LibvirtHook.Platform;
using LibvirtHook.Tools;

namespace LibvirtHook.Stateless;

/// <summary>
/// The only code that renames or deletes disk images. Prepare gives the base a second name (a
/// hard link) and atomically puts a fresh overlay at the image's path; release atomically puts
/// the base back. At no moment is the image's path missing or the base written to, except by
/// a commit the admin asked for, which is journaled and always finished, never thrown away.
/// </summary>
internal sealed class StatelessDisks(QemuImg qemuImg, JournalStore journal, CallLog log, OverlayDiscards discards)
{
    /// <summary>
    /// A VM's start, in the one order that is safe: a restore resumes on its saved overlays;
    /// otherwise whatever an earlier session left is undone first, and then (if the VM still has
    /// a config) every configured disk gets a fresh overlay. The journal is read once.
    /// </summary>
    /// <param name="config">Null when the config was removed: leftovers are still undone.</param>
    public StartOutcome Start(DomainDescription domain, VmConfig? config, OneShotCommitFlags flags)
    {
        var state = journal.Load();
        if (ResumeSaved(state))
            return StartOutcome.ResumedSaved;
        RecoverLeftovers(state, domain, flags);
        if (config is null)
            return StartOutcome.ConfigRemoved;
        Prepare(domain, config);
        return StartOutcome.Prepared(config.Disks.Count);
    }

    /// <summary>Undoes whatever a previous run left (an unclean stop, a killed hook): commits that had begun are finished, the rest discarded.</summary>
    private void RecoverLeftovers(Journal? leftover, DomainDescription? domain, OneShotCommitFlags flags)
    {
        if (leftover is null)
            return;
        CheckChainUnchanged(leftover, domain);

        var failures = EachDisk(leftover.Disks, entry =>
        {
            if (entry.State == DiskState.Committing)
                leftover = FinishCommit(leftover, entry, flags);
            Revert(entry, entry.State is DiskState.Saved or DiskState.Restoring ? DiskAction.DiscardedUnrestoredSave : DiskAction.DiscardedStaleOverlay);
            leftover = leftover.Without(entry.Target);
            journal.Save(leftover);
        });
        ThrowIfAny(failures);
    }

    private void Prepare(DomainDescription domain, VmConfig config)
    {
        var plans = config.Disks.Select(d => Check(domain, config, d)).ToList();
        if (plans.Count == 0)
            return;
        var shared = plans.GroupBy(p => FileSystem.Stat(p.Image, followSymlinks: true) is var s ? (s.Device, s.Inode) : default).FirstOrDefault(g => g.Count() > 1);
        if (shared is not null)
        {
            throw new StatelessDiskException(
                $"Disks {string.Join(" and ", shared.Select(p => $"\"{p.Target}\""))} of domain \"{domain.Name}\" use the same image \"{shared.First().Image}\"; one image can have only one overlay: fix the domain XML.");
        }

        // Left by a hook or worker that was killed; ours, and garbage by construction.
        foreach (var stale in plans.Select(p => p.Discard).Where(f => FileSystem.Stat(f).Exists))
            discards.Add(stale);

        var state = new Journal { Domain = domain.Name, Uuid = domain.Uuid, Disks = plans };
        journal.Save(state);
        FaultInjection.Point("prepare:journal-written");
        try
        {
            foreach (var entry in plans)
            {
                var watch = Stopwatch.StartNew();
                CreateOverlay(entry);
                log.Disk(new DiskStep { Target = entry.Target, Action = DiskAction.Overlay, Image = entry.Image, BaseFormat = entry.BaseFormat.Name(), Ms = watch.ElapsedMilliseconds });
            }

            journal.Save(state with { Disks = plans.Select(p => p with { State = DiskState.Prepared }).ToList() });
        }
        catch
        {
            // Put every disk back now rather than count on libvirt's release after a failed start.
            var failures = EachDisk(plans, entry => Revert(entry, DiskAction.RolledBack));
            if (failures.Count == 0)
                journal.Delete();
            throw;
        }
    }

    /// <summary>Keeps the overlays of a VM whose RAM was saved: they are the disk it will resume with.</summary>
    public void KeepForRestore()
    {
        var state = journal.Load();
        if (state is null)
            return;
        foreach (var entry in state.Disks.Where(e => e.State == DiskState.Prepared))
        {
            state = state.With(entry with { State = DiskState.Saved });
            log.Disk(new DiskStep { Target = entry.Target, Action = DiskAction.KeptForRestore, Image = entry.Image });
        }

        journal.Save(state);
    }

    /// <summary>libvirt is about to restore saved RAM: its overlays are the disk that RAM belongs to.</summary>
    public bool MarkRestoring()
    {
        var state = journal.Load();
        if (state is null || state.Disks.All(e => e.State != DiskState.Saved))
            return false;
        journal.Save(state with { Disks = state.Disks.Select(e => e.State == DiskState.Saved ? e with { State = DiskState.Restoring } : e).ToList() });
        return true;
    }

    /// <summary>
    /// A restore (announced by the restore hook) resumes on the saved overlays. Without one, the VM
    /// boots afresh (the saved state was removed), and RecoverLeftovers discards them like any other.
    /// </summary>
    private bool ResumeSaved(Journal? state)
    {
        if (state is null || state.Disks.Count == 0 || state.Disks.Any(e => e.State != DiskState.Restoring))
            return false;
        journal.Save(state with { Disks = state.Disks.Select(e => e with { State = DiskState.Prepared }).ToList() });
        foreach (var entry in state.Disks)
            log.Disk(new DiskStep { Target = entry.Target, Action = DiskAction.ResumedSavedOverlay, Image = entry.Image });
        return true;
    }

    /// <summary>
    /// Undoes what prepare recorded (not what the config says now): commits where asked, then
    /// puts each base back at the image's path. A disk that fails a check is left as it is and
    /// stays in the journal; the others are still reverted.
    /// </summary>
    /// <exception cref="StatelessDiskException">Some disks could not be released; the message names each and why.</exception>
    public void Release(DomainDescription? domain, OneShotCommitFlags flags)
    {
        var state = journal.Load();
        if (state is null)
            return;
        CheckChainUnchanged(state, domain);

        var failures = EachDisk(state.Disks, entry =>
        {
            if (entry.State is DiskState.Saved or DiskState.Restoring)
            {
                // A restore that failed: the saved RAM is still there and still needs this disk.
                state = state.With(entry with { State = DiskState.Saved });
                journal.Save(state);
                log.Disk(new DiskStep { Target = entry.Target, Action = DiskAction.KeptForRestore, Image = entry.Image });
                return;
            }

            var commit = entry.State == DiskState.Committing
                || (entry.State == DiskState.Prepared && (flags.Requested(entry.Target) ?? entry.CommitRequestedAtStart));
            if (commit)
                state = FinishCommit(state, entry, flags);
            Revert(entry, commit ? DiskAction.RevertedToCommittedBase : DiskAction.DiscardedOverlay);
            FaultInjection.Point("release:reverted");
            state = state.Without(entry.Target);
            journal.Save(state);
        });
        ThrowIfAny(failures);
    }

    /// <summary>Runs the step on every disk, even after one fails; returns the failures.</summary>
    private static List<LibvirtHookException> EachDisk(IEnumerable<JournalEntry> entries, Action<JournalEntry> step)
    {
        var failures = new List<LibvirtHookException>();
        foreach (var entry in entries.ToList())
        {
            try
            {
                step(entry);
            }
            catch (Exception e) when (e is LibvirtHookException or IOException)
            {
                failures.Add(e as LibvirtHookException ?? new StatelessDiskException($"Disk \"{entry.Target}\": {e.Message}", e));
            }
        }

        return failures;
    }

    private static void ThrowIfAny(List<LibvirtHookException> failures)
    {
        if (failures.Count == 1)
            throw failures[0];
        if (failures.Count > 1)
            throw new StatelessDiskException(string.Join(" ", failures.Select(f => f.Message)), failures[0]);
    }

    /// <summary>
    /// An external snapshot or a block copy moves the disk to another file on top of the overlay;
    /// putting the base back under it would corrupt that file. Leave everything as it is instead.
    /// </summary>
    private void CheckChainUnchanged(Journal state, DomainDescription? domain)
    {
        var moved = state.Disks
            .Select(e => (Entry: e, Source: domain?.FindDisk(e.Target)?.SourceFile))
            .Where(d => d.Source is not null && d.Source != d.Entry.Image)
            .ToList();
        if (moved.Count == 0)
            return;
        var (entry, source) = moved[0];
        throw new StatelessDiskException(
            $"Disk \"{entry.Target}\" of domain \"{state.Domain}\" now uses \"{source}\", but the hook put its overlay at \"{entry.Image}\" (on base \"{entry.Base}\"): an external snapshot or block copy changed the chain, so the hook changed nothing. Merge or remove the new layer, put the disk back on \"{entry.Image}\", then start the VM; or keep the current state by hand and remove \"{journal.Path}\".");
    }

    private JournalEntry Check(DomainDescription domain, VmConfig config, DiskConfig disk)
    {
        var image = DiskRules.ImageOf(domain, config, disk);
        var entry = new JournalEntry
        {
            Target = disk.Target,
            Image = image,
            Base = JournalEntry.BaseNameFor(image),
            NewOverlay = JournalEntry.NewOverlayNameFor(image),
            BaseFormat = disk.BaseFormat,
            State = DiskState.Preparing,
            CommitRequestedAtStart = disk.OneShotCommit,
        };
        using var directory = DirectoryHandle.Open(DirectoryOf(image));
        if (StrayFile.Find(image, journal.Path, path => directory.Stat(Path.GetFileName(path)).Exists) is [var stray, ..])
            throw new StatelessDiskException(stray.Problem);

        var name = Path.GetFileName(image);
        var named = directory.Stat(name);
        using var baseFile = directory.OpenForReading(name, followSymlink: named.Kind == FileKind.SymbolicLink);
        var status = baseFile.Status;
        if (named.Kind is not (FileKind.Regular or FileKind.SymbolicLink) || status.Kind != FileKind.Regular)
        {
            throw new StatelessDiskException(
                $"Disk \"{disk.Target}\" of domain \"{domain.Name}\": \"{image}\" is not an image file (or changed while the hook looked at it); only image files can be stateless: fix the domain XML or remove the disk from \"{config.Source}\".");
        }

        ImageInfo info;
        try
        {
            info = qemuImg.Info(baseFile.ProcPath, disk.BaseFormat);
        }
        catch (ToolException e) when (QemuImg.IsLockedByAnotherProcess(e, baseFile.ProcPath))
        {
            throw new StatelessDiskException($"Image \"{image}\" of disk \"{disk.Target}\" is in use by another process; stop it before starting domain \"{domain.Name}\". ({e.Message})", e);
        }
        catch (ToolException e) when (e.Reason == ToolFailure.ExitedNonZero)
        {
            var other = disk.BaseFormat == ImageFormat.Qcow2 ? ImageFormat.Raw : ImageFormat.Qcow2;
            throw new StatelessDiskException(
                $"Image \"{image}\" of disk \"{disk.Target}\" cannot be opened as {disk.BaseFormat.Name()} ({e.Message}); the hook never guesses a base's format from its bytes: if the image is {other.Name()}, set \"base-format\": \"{other.Name()}\" for disk \"{disk.Target}\" in \"{config.Source}\".",
                e);
        }

        return entry with
        {
            Directory = directory.Status.Identity,
            BaseEntry = named.Identity,
            BaseFile = status.Identity,
            BaseOwnership = FileOwnership.Of(status),
            VirtualSize = info.VirtualSize,
        };
    }

    private void CreateOverlay(JournalEntry entry)
    {
        using var directory = OpenDirectory(entry);
        var (name, baseName, newName) = Names(entry);
        Reserve(directory, entry, () => directory.Link(name, baseName), entry.Base);
        FaultInjection.Point("prepare:linked");
        if (!directory.Stat(baseName).Is(entry.BaseEntry))
            throw ChangedWhilePreparing(entry, directory);

        using var overlay = Reserve(directory, entry, () => directory.CreateExclusive(newName), entry.NewOverlay);
        qemuImg.CreateOverlay(overlay.ProcPath, baseName, entry.BaseFormat, entry.VirtualSize);
        // QEMU must be able to write the overlay wherever it could write the image.
        overlay.ChangeOwnership(entry.BaseOwnership!);
        overlay.Sync();
        FaultInjection.Point("prepare:overlay-created");
        if (!directory.Stat(newName).Is(overlay.Status.Identity))
            throw ChangedWhilePreparing(entry, directory);
        directory.Rename(newName, name);
        FaultInjection.Point("prepare:renamed");
    }

    /// <summary>Runs a step that claims one of the hook's reserved names; someone else holding it by then is a refusal, not an I/O error.</summary>
    private static T Reserve<T>(DirectoryHandle directory, JournalEntry entry, Func<T> claim, string path)
    {
        try
        {
            return claim();
        }
        catch (IOException e)
        {
            throw new StatelessDiskException(
                $"Disk \"{entry.Target}\": {e.Message} Something took that name while the hook prepared \"{entry.Image}\" (whoever can write \"{directory.Path}\" can); the hook reserves it and changed nothing: remove \"{path}\", make sure only trusted users can write \"{directory.Path}\", then start the VM.",
                e);
        }
    }

    private static void Reserve(DirectoryHandle directory, JournalEntry entry, Action claim, string path) =>
        Reserve(directory, entry, () => { claim(); return 0; }, path);

    private static StatelessDiskException ChangedWhilePreparing(JournalEntry entry, DirectoryHandle directory) =>
        new($"Disk \"{entry.Target}\": \"{entry.Image}\" changed while the hook prepared it (someone who can write \"{directory.Path}\" renamed or replaced a file there); the VM was not started and the image was left as it was: check the directory, then start the VM.");

    private Journal FinishCommit(Journal state, JournalEntry entry, OneShotCommitFlags flags)
    {
        using var directory = OpenDirectory(entry);
        var (name, baseName, _) = Names(entry);
        var image = directory.Stat(name);
        var baseStatus = directory.Stat(baseName);
        if (!baseStatus.Exists || image.IsSameFileAs(baseStatus) || image.Is(entry.BaseEntry))
            return state; // Never got an overlay, or already reverted: nothing to commit.
        if (entry.BaseEntry is not null && !baseStatus.Is(entry.BaseEntry))
            throw NotCommitted(entry, $"\"{entry.Base}\" is no longer the base prepare set aside ({entry.BaseEntry}): someone replaced it");
        if (image.Kind != FileKind.Regular)
            throw NotCommitted(entry, $"\"{entry.Image}\" is not a regular file any more");

        using var overlay = directory.OpenForReading(name);
        if (!overlay.Status.IsSameFileAs(image))
            throw NotCommitted(entry, $"\"{entry.Image}\" changed while the hook checked it");
        // Only root may open it from here on, so nobody rewrites the header between the check and the commit.
        overlay.ChangeOwnership(new FileOwnership(0, 0, 0b110_000_000));
        var (header, unreadable) = Qcow2Header.Read(overlay);
        if ((unreadable ?? OverlayProblem(header!, baseName, entry.BaseFormat)) is { } problem)
            throw NotCommitted(entry, $"overlay \"{entry.Image}\" {problem}, so it is not what the hook created");

        using var baseFile = directory.OpenForReading(baseName, followSymlink: entry.BaseThroughSymlink);
        var baseFileStatus = baseFile.Status;
        if (baseFileStatus.Kind != FileKind.Regular || (entry.BaseFile is not null && !baseFileStatus.Is(entry.BaseFile)))
            throw NotCommitted(entry, $"\"{entry.Base}\" no longer leads to the base file prepare recorded ({entry.BaseFile})");
        var chain = new CommitChain { Overlay = overlay.ProcPath, Base = baseFile.ProcPath, BaseFormat = entry.BaseFormat };
        if (entry.BaseFormat == ImageFormat.Qcow2)
            chain = WithBaseBacking(chain, entry, baseFile, directory);

        state = state.With(entry with { State = DiskState.Committing });
        journal.Save(state);
        FaultInjection.Point("commit:journaled");
        var watch = Stopwatch.StartNew();
        qemuImg.Commit(chain);
        FaultInjection.Point("commit:committed");
        var cleared = flags.Clear(entry.Target);
        FaultInjection.Point("commit:flag-cleared");
        log.Disk(new DiskStep { Target = entry.Target, Action = DiskAction.Committed, Image = entry.Image, Ms = watch.ElapsedMilliseconds, FlagReset = cleared });
        return state;
    }

    /// <summary>
    /// A qcow2 base may be a thin clone: a partial write into one of its clusters copies the rest
    /// of that cluster from its own backing file, which is then named (with its format) as QEMU
    /// would resolve it from the image's path.
    /// </summary>
    private static CommitChain WithBaseBacking(CommitChain chain, JournalEntry entry, OpenedFile baseFile, DirectoryHandle directory)
    {
        var (header, unreadable) = Qcow2Header.Read(baseFile);
        if (header is null)
            throw NotCommitted(entry, $"base \"{entry.Base}\" is not a readable qcow2 image ({unreadable}), though its config says qcow2");
        if (header.ExternalDataFile is not null || (header.IncompatibleFeatures & Qcow2Header.ExternalDataFileBit) != 0)
            throw NotCommitted(entry, $"base \"{entry.Base}\" keeps its data in an external file, which the hook does not support");
        if (header.BackingFile is not { } backing)
            return chain;
        if (!ImageFormats.TryParse(header.BackingFormat, out var format))
        {
            throw NotCommitted(
                entry,
                $"base \"{entry.Base}\" is a thin clone of \"{Printable(backing)}\" but does not name that file's format; name it with: qemu-img rebase -u -F qcow2 (or raw) -b \"{Printable(backing)}\" \"{entry.Base}\"");
        }

        return chain with { BaseBacking = Path.IsPathRooted(backing) ? backing : directory.ProcPath + "/" + backing, BaseBackingFormat = format };
    }

    private static string? OverlayProblem(Qcow2Header header, string baseName, ImageFormat baseFormat)
    {
        if (header.CryptMethod != 0)
            return "is encrypted";
        if (header.BackingFile != baseName)
            return header.BackingFile is null ? "has no backing file" : $"names backing file \"{Printable(header.BackingFile)}\", not \"{baseName}\"";
        if (header.BackingFormat != baseFormat.Name())
            return $"names backing format \"{Printable(header.BackingFormat ?? "")}\", not \"{baseFormat.Name()}\"";
        if (header.ExternalDataFile is not null || (header.IncompatibleFeatures & Qcow2Header.ExternalDataFileBit) != 0)
            return $"has an external data file (\"{Printable(header.ExternalDataFile ?? "")}\")";
        if ((header.IncompatibleFeatures & Qcow2Header.CorruptBit) != 0)
            return "is marked corrupt";
        var unknown = header.IncompatibleFeatures & ~(Qcow2Header.DirtyBit | Qcow2Header.CompressionTypeBit | Qcow2Header.ExtendedL2Bit | Qcow2Header.CorruptBit | Qcow2Header.ExternalDataFileBit);
        return unknown != 0 ? $"uses qcow2 features the hook does not know (incompatible bits 0x{unknown:x})" : null;
    }

    private static StatelessDiskException NotCommitted(JournalEntry entry, string why) =>
        new($"Disk \"{entry.Target}\" was not committed: {why}. Nothing was written to the base; the disk was left as it is, and the next start throws that session away and boots from the base. Check who can write \"{DirectoryOf(entry.Image)}\" and the files there.");

    /// <summary>Bytes from a file header, which QEMU's user chose, made safe to quote in a message (and short).</summary>
    private static string Printable(string text) => UntrustedText.ForTerminal(text.Length > 200 ? text[..200] + "..." : text);

    private void Revert(JournalEntry entry, DiskAction action)
    {
        var watch = Stopwatch.StartNew();
        using var directory = OpenDirectory(entry);
        var (name, baseName, newName) = Names(entry);
        var image = directory.Stat(name);
        var baseStatus = directory.Stat(baseName);
        if (baseStatus.Exists)
        {
            if (entry.BaseEntry is not null && !baseStatus.Is(entry.BaseEntry))
            {
                // Not the hook's base: harmless while the image still is the base, a refusal otherwise.
                if (!image.Is(entry.BaseEntry))
                {
                    throw new StatelessDiskException(
                        $"Disk \"{entry.Target}\": \"{entry.Base}\" is no longer the base prepare set aside ({entry.BaseEntry}); someone replaced it, so the hook left \"{entry.Image}\" (the overlay) and \"{entry.Base}\" as they are. Find the real base, put it back at \"{entry.Image}\", remove \"{entry.Base}\" and the journal \"{journal.Path}\", then start the VM.");
                }
            }
            else if (image.IsSameFileAs(baseStatus))
            {
                // rename(2) between two names of one file does nothing, so drop the extra name instead.
                directory.Unlink(baseName);
            }
            else
            {
                SetAside(directory, entry, image);
                directory.Rename(baseName, name);
            }
        }

        RestoreOwnership(directory, entry);
        // Ours if it is a regular file (created exclusively); anything else someone put there, and prepare refuses it.
        if (directory.Stat(newName).Kind == FileKind.Regular)
            directory.Unlink(newName);
        log.Disk(new DiskStep { Target = entry.Target, Action = action, Image = entry.Image, Ms = watch.ElapsedMilliseconds });
    }

    /// <summary>
    /// libvirt hands every file of a disk's chain to QEMU's user and gives back only the top one:
    /// the base, a backing file while the VM ran, would otherwise stay writable by every VM's QEMU.
    /// </summary>
    private static void RestoreOwnership(DirectoryHandle directory, JournalEntry entry)
    {
        if (entry.BaseOwnership is not { } ownership || entry.BaseFile is null)
            return;
        var name = Path.GetFileName(entry.Image);
        if (!directory.Stat(name).Is(entry.BaseEntry))
            return;
        using var file = directory.OpenForReading(name, followSymlink: entry.BaseThroughSymlink);
        var status = file.Status;
        if (status.Is(entry.BaseFile) && !ownership.Matches(status))
            file.ChangeOwnership(ownership);
    }

    /// <summary>
    /// Gives the overlay a second name, so the rename over it does not free its blocks while
    /// libvirtd waits; <see cref="OverlayDiscards"/> drops that name after the call.
    /// </summary>
    private void SetAside(DirectoryHandle directory, JournalEntry entry, FileStatus image)
    {
        if (image.Kind != FileKind.Regular)
            return;
        var discardName = Path.GetFileName(entry.Discard);
        try
        {
            if (directory.Stat(discardName).Kind is FileKind.Directory)
                return;
            directory.Unlink(discardName);
            directory.Link(Path.GetFileName(entry.Image), discardName);
        }
        catch (IOException)
        {
            // Only a faster release is lost: the rename still frees the overlay, just in the call.
            return;
        }

        discards.Add(entry.Discard);
        FaultInjection.Point("release:set-aside");
    }

    /// <summary>The image's directory, the very one prepare used; the hook acts on the disk's names only through it.</summary>
    private static DirectoryHandle OpenDirectory(JournalEntry entry)
    {
        var directory = DirectoryHandle.Open(DirectoryOf(entry.Image));
        if (entry.Directory is null || directory.Status.Is(entry.Directory))
            return directory;
        directory.Dispose();
        throw new StatelessDiskException(
            $"Disk \"{entry.Target}\": \"{DirectoryOf(entry.Image)}\" is not the directory the hook prepared the disk in ({entry.Directory}); it was renamed or replaced, so the hook changed nothing. Put the original directory back, then start the VM.");
    }

    private static string DirectoryOf(string image) => Path.GetDirectoryName(Path.GetFullPath(image))!;

    private static (string Image, string Base, string NewOverlay) Names(JournalEntry entry) =>
        (Path.GetFileName(entry.Image), Path.GetFileName(entry.Base), Path.GetFileName(entry.NewOverlay));
}
