using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

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
    private const int Attempts = 8;

    /// <param name="mode">Permission bits of the new file.</param>
    /// <param name="owner">Owner and group to give it (root's programs pass 0, 0); null keeps the creator's.</param>
    /// <param name="keepExisting">Take mode and owner from the regular file being replaced, if there is one (not from a link's target).</param>
    public static void Replace(string path, ReadOnlySpan<byte> content, int mode, (uint Owner, uint Group)? owner = null, bool keepExisting = false)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        var name = Path.GetFileName(full);
        var dirFd = Native.OpenAt(Native.AT_FDCWD, directory, Native.O_RDONLY | Native.O_DIRECTORY | Native.O_CLOEXEC, 0);
        if (dirFd < 0)
            throw new IOException($"Cannot open directory \"{directory}\" to write \"{name}\" in it: {Native.LastError()}.");
        using var dir = new SafeFileHandle(dirFd, ownsHandle: true);

        if (keepExisting && FileSystem.StatAt(dirFd, name, full) is { Kind: FileKind.Regular } existing)
        {
            mode = existing.Permissions;
            owner = (existing.Owner, existing.Group);
        }

        var (fd, temp) = CreateExclusive(dirFd, directory, name);
        var placed = false;
        try
        {
            using (var handle = new SafeFileHandle(fd, ownsHandle: true))
            {
                RandomAccess.Write(handle, content, 0);
                if (owner is { } o && Native.FChown(fd, o.Owner, o.Group) != 0)
                    throw new IOException($"Cannot give \"{Path.Combine(directory, temp)}\" owner {o.Owner}:{o.Group}: {Native.LastError()}; run libvirt-hook as root.");
                // After fchown, which clears set-id bits.
                if (Native.FChmod(fd, (uint)mode) != 0)
                    throw new IOException($"Cannot set the mode of \"{Path.Combine(directory, temp)}\": {Native.LastError()}.");
                RandomAccess.FlushToDisk(handle);
            }

            if (Native.RenameAt(dirFd, temp, dirFd, name) != 0)
                throw new IOException($"Cannot rename \"{Path.Combine(directory, temp)}\" to \"{full}\": {Native.LastError()}.");
            placed = true;
            if (Native.Fsync(dirFd) != 0)
                throw new IOException($"Cannot sync directory \"{directory}\": {Native.LastError()}.");
        }
        finally
        {
            if (!placed)
                Native.UnlinkAt(dirFd, temp, 0);
        }
    }

    private static (int Fd, string Name) CreateExclusive(int dirFd, string directory, string name)
    {
        const int flags = Native.O_WRONLY | Native.O_CREAT | Native.O_EXCL | Native.O_NOFOLLOW | Native.O_CLOEXEC;
        for (var attempt = 0; ; attempt++)
        {
            // 64 random bits: nobody can plant a link at a name they cannot guess.
            var temp = $".{name}.tmp-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
            var fd = Native.OpenAt(dirFd, temp, flags, 0b110_000_000);
            if (fd >= 0)
                return (fd, temp);
            if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Native.EEXIST || attempt + 1 >= Attempts)
                throw new IOException($"Cannot create a temporary file beside \"{Path.Combine(directory, name)}\": {Native.LastError()}.");
        }
    }
}
