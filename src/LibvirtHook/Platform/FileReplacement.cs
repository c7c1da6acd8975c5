namespace LibvirtHook.Platform;

/// <summary>
/// Replaces a file atomically and durably (a reader sees the old content or the new, whatever
/// crashes) in a directory others may be able to write: the temp file is created through the
/// directory's descriptor with O_CREAT|O_EXCL|O_NOFOLLOW under a name nobody can predict, its
/// mode and owner are set through its descriptor, it is fsynced, then renameat puts it in place.
/// A link planted at any name therefore redirects nothing.
/// </summary>
internal static class FileReplacement
{
    /// <param name="mode">Permission bits of the new file.</param>
    /// <param name="owner">Owner and group to give it (root's programs pass 0, 0); null keeps the creator's.</param>
    /// <param name="keepExisting">Take mode and owner from the regular file being replaced, if there is one (not from a link's target).</param>
    public static void Replace(string path, ReadOnlySpan<byte> content, int mode, (uint Owner, uint Group)? owner = null, bool keepExisting = false)
    {
        var full = Path.GetFullPath(path);
        var name = Path.GetFileName(full);
        using var directory = DirectoryHandle.Open(Path.GetDirectoryName(full)!, $" to write \"{name}\" in it");

        if (keepExisting && directory.Stat(name) is { Kind: FileKind.Regular } existing)
        {
            mode = existing.Permissions;
            owner = (existing.Owner, existing.Group);
        }

        var (file, temp) = directory.CreateTemporaryBeside(name);
        var placed = false;
        try
        {
            using (file)
            {
                file.Write(content, 0);
                if (owner is { } o && file.TrySetOwner(o.Owner, o.Group) is { } ownerError)
                    throw new IOException($"Cannot give \"{file.Path}\" owner {o.Owner}:{o.Group}: {ownerError}; run libvirt-hook as root.");
                // After fchown, which clears set-id bits.
                if (file.TrySetMode(mode) is { } modeError)
                    throw new IOException($"Cannot set the mode of \"{file.Path}\": {modeError}.");
                file.Sync();
            }

            // Then fsync of the directory, which makes the new name durable.
            directory.Rename(temp, name);
            placed = true;
        }
        finally
        {
            if (!placed)
                directory.UnlinkQuietly(temp);
        }
    }
}
