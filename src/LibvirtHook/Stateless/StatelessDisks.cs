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
    /// <summary>Undoes whatever a previous run left (an unclean stop, a killed hook): commits that had begun are finished, the rest discarded.</summary>
    public void RecoverLeftovers(DomainDescription? domain, OneShotCommitFlags flags)
    {
        var leftover = journal.Load();
        if (leftover is null)
            return;
        CheckChainUnchanged(leftover, domain);

        foreach (var entry in leftover.Disks)
        {
            if (entry.State == DiskState.Committing)
                leftover = FinishCommit(leftover, entry, flags);
            Revert(entry, entry.State is DiskState.Saved or DiskState.Restoring ? DiskAction.DiscardedUnrestoredSave : DiskAction.DiscardedStaleOverlay);
            leftover = leftover.Without(entry.Target);
            journal.Save(leftover);
        }
    }

    public void Prepare(DomainDescription domain, VmConfig config)
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
                log.Disk(new DiskStep { Target = entry.Target, Action = DiskAction.Overlay, Image = entry.Image, BaseFormat = entry.BaseFormat, Ms = watch.ElapsedMilliseconds });
            }

            journal.Save(state with { Disks = plans.Select(p => p with { State = DiskState.Prepared }).ToList() });
        }
        catch
        {
            // Put every disk back now rather than count on libvirt's release after a failed start.
            foreach (var entry in plans)
                Revert(entry, DiskAction.RolledBack);
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
    public bool ResumeSaved()
    {
        var state = journal.Load();
        if (state is null || state.Disks.Count == 0 || state.Disks.Any(e => e.State != DiskState.Restoring))
            return false;
        journal.Save(state with { Disks = state.Disks.Select(e => e with { State = DiskState.Prepared }).ToList() });
        foreach (var entry in state.Disks)
            log.Disk(new DiskStep { Target = entry.Target, Action = DiskAction.ResumedSavedOverlay, Image = entry.Image });
        return true;
    }

    /// <summary>
    /// Undoes what prepare recorded (not what the config says now): commits where asked, then
    /// puts each base back at the image's path.
    /// </summary>
    public void Release(DomainDescription? domain, OneShotCommitFlags flags)
    {
        var state = journal.Load();
        if (state is null)
            return;
        CheckChainUnchanged(state, domain);

        foreach (var entry in state.Disks)
        {
            if (entry.State is DiskState.Saved or DiskState.Restoring)
            {
                // A restore that failed: the saved RAM is still there and still needs this disk.
                state = state.With(entry with { State = DiskState.Saved });
                journal.Save(state);
                log.Disk(new DiskStep { Target = entry.Target, Action = DiskAction.KeptForRestore, Image = entry.Image });
                continue;
            }

            var commit = entry.State == DiskState.Committing
                || (entry.State == DiskState.Prepared && (flags.Requested(entry.Target) ?? entry.CommitRequestedAtStart));
            if (commit)
                state = FinishCommit(state, entry, flags);
            Revert(entry, commit ? DiskAction.RevertedToCommittedBase : DiskAction.DiscardedOverlay);
            FaultInjection.Point("release:reverted");
            state = state.Without(entry.Target);
            journal.Save(state);
        }
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
        var baseName = JournalEntry.BaseNameFor(image);
        var newOverlay = JournalEntry.NewOverlayNameFor(image);
        foreach (var path in new[] { baseName, newOverlay })
        {
            if (FileSystem.Stat(path).Exists)
            {
                throw new StatelessDiskException(
                    $"\"{path}\" already exists, but the hook has no record of it (was its state in \"{journal.Path}\" lost?); it may be the real base of \"{image}\": check both, keep the right one at \"{image}\" and remove \"{path}\".");
            }
        }

        ImageInfo info;
        try
        {
            info = qemuImg.Info(image);
        }
        catch (ToolException e) when (QemuImg.IsLockedByAnotherProcess(e, image))
        {
            throw new StatelessDiskException($"Image \"{image}\" of disk \"{disk.Target}\" is in use by another process; stop it before starting domain \"{domain.Name}\". ({e.Message})", e);
        }

        return new JournalEntry
        {
            Target = disk.Target,
            Image = image,
            Base = baseName,
            NewOverlay = newOverlay,
            BaseFormat = info.Format,
            State = DiskState.Preparing,
            CommitRequestedAtStart = disk.OneShotCommit,
        };
    }

    private void CreateOverlay(JournalEntry entry)
    {
        var original = FileSystem.Stat(entry.Image, followSymlinks: true);
        FileSystem.HardLink(entry.Image, entry.Base);
        FaultInjection.Point("prepare:linked");
        qemuImg.CreateOverlay(entry.NewOverlay, Path.GetFileName(entry.Base), entry.BaseFormat);
        // QEMU must be able to write the overlay wherever it could write the image.
        File.SetUnixFileMode(entry.NewOverlay, (UnixFileMode)original.Permissions);
        if (Native.Chown(entry.NewOverlay, original.Owner, original.Group) != 0)
            throw new IOException($"Cannot give overlay \"{entry.NewOverlay}\" the owner of \"{entry.Image}\": {Native.LastError()}.");
        FileSystem.SyncFile(entry.NewOverlay);
        FaultInjection.Point("prepare:overlay-created");
        FileSystem.Rename(entry.NewOverlay, entry.Image);
        FaultInjection.Point("prepare:renamed");
    }

    private Journal FinishCommit(Journal state, JournalEntry entry, OneShotCommitFlags flags)
    {
        var image = FileSystem.Stat(entry.Image);
        var baseFile = FileSystem.Stat(entry.Base);
        if (!baseFile.Exists || image.IsSameFileAs(baseFile))
            return state; // Never got an overlay, or already reverted: nothing to commit.

        var info = qemuImg.Info(entry.Image);
        var expected = Path.GetFullPath(entry.Base);
        if (info.FullBackingFilename is null || Path.GetFullPath(info.FullBackingFilename) != expected)
        {
            throw new StatelessDiskException(
                $"Cannot commit disk \"{entry.Target}\": \"{entry.Image}\" should be an overlay on \"{expected}\" but its backing file is \"{info.FullBackingFilename}\"; nothing was changed, check both files.");
        }

        state = state.With(entry with { State = DiskState.Committing });
        journal.Save(state);
        FaultInjection.Point("commit:journaled");
        var watch = Stopwatch.StartNew();
        qemuImg.Commit(entry.Image);
        FaultInjection.Point("commit:committed");
        var cleared = flags.Clear(entry.Target);
        FaultInjection.Point("commit:flag-cleared");
        log.Disk(new DiskStep { Target = entry.Target, Action = DiskAction.Committed, Image = entry.Image, Ms = watch.ElapsedMilliseconds, FlagReset = cleared });
        return state;
    }

    private void Revert(JournalEntry entry, DiskAction action)
    {
        var watch = Stopwatch.StartNew();
        var baseFile = FileSystem.Stat(entry.Base);
        if (baseFile.Exists)
        {
            // rename(2) between two names of one file does nothing, so drop the extra name instead.
            var image = FileSystem.Stat(entry.Image);
            if (image.IsSameFileAs(baseFile))
            {
                FileSystem.Delete(entry.Base);
            }
            else
            {
                SetAside(entry, image);
                FileSystem.Rename(entry.Base, entry.Image);
            }
        }

        if (FileSystem.Stat(entry.NewOverlay).Exists)
            FileSystem.Delete(entry.NewOverlay);
        log.Disk(new DiskStep { Target = entry.Target, Action = action, Image = entry.Image, Ms = watch.ElapsedMilliseconds });
    }

    /// <summary>
    /// Gives the overlay a second name, so the rename over it does not free its blocks while
    /// libvirtd waits; <see cref="OverlayDiscards"/> drops that name after the call.
    /// </summary>
    private void SetAside(JournalEntry entry, FileStatus image)
    {
        if (image.Kind != FileKind.Regular)
            return;
        try
        {
            if (FileSystem.Stat(entry.Discard).Exists)
                FileSystem.Delete(entry.Discard);
            FileSystem.HardLink(entry.Image, entry.Discard);
        }
        catch (IOException)
        {
            // Only a faster release is lost: the rename still frees the overlay, just in the call.
            return;
        }

        discards.Add(entry.Discard);
        FaultInjection.Point("release:set-aside");
    }
}
