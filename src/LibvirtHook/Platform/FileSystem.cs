using System.Text;

namespace LibvirtHook.Platform;

/// <summary>
/// The durable file operations everything that touches images or state goes through: a crash
/// between any two of them must leave a state recovery understands.
/// </summary>
internal static class FileSystem
{
    public static FileStatus Stat(string path, bool followSymlinks = false) =>
        StatAt(Native.AT_FDCWD, path, path, followSymlinks ? 0 : Native.AT_SYMLINK_NOFOLLOW);

    /// <summary>What <paramref name="name"/> in the open directory is, never following a link.</summary>
    public static FileStatus StatAt(int directoryFd, string name, string pathForMessages) =>
        StatAt(directoryFd, name, pathForMessages, Native.AT_SYMLINK_NOFOLLOW);

    /// <summary>fstat(2) of an open descriptor.</summary>
    public static FileStatus StatDescriptor(int fd, string pathForMessages) =>
        StatAt(fd, "", pathForMessages, Native.AT_EMPTY_PATH);

    private static FileStatus StatAt(int directoryFd, string name, string pathForMessages, int flags)
    {
        if (Native.Statx(directoryFd, name, flags, Native.STATX_BASIC_STATS, out var buffer) != 0)
        {
            var error = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (error is Native.ENOENT or 20 /* ENOTDIR */)
                return new FileStatus { Kind = FileKind.Missing };
            throw new IOException($"Cannot stat \"{pathForMessages}\": {Native.LastError()}.");
        }

        var kind = (buffer.Mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.SymbolicLink,
            0x6000 => FileKind.BlockDevice,
            _ => FileKind.Other,
        };
        return new FileStatus
        {
            Kind = kind,
            Owner = buffer.Uid,
            Group = buffer.Gid,
            Permissions = buffer.Mode & 0xFFF,
            Device = ((ulong)buffer.DevMajor << 32) | buffer.DevMinor,
            Inode = buffer.Inode,
            Size = buffer.Size,
            AllocatedBytes = (long)buffer.Blocks * 512,
            ChangedAt = DateTimeOffset.FromUnixTimeSeconds(buffer.ChangeTimeSeconds),
        };
    }

    public static void HardLink(string existing, string newPath)
    {
        if (Native.Link(existing, newPath) != 0)
            throw new IOException($"Cannot link \"{existing}\" to \"{newPath}\": {Native.LastError()}.");
    }

    /// <summary>rename(2): atomic, replaces <paramref name="to"/>; then makes it durable.</summary>
    public static void Rename(string from, string to)
    {
        if (Native.Rename(from, to) != 0)
            throw new IOException($"Cannot rename \"{from}\" to \"{to}\": {Native.LastError()}.");
        SyncDirectoryOf(to);
    }

    public static void Delete(string path)
    {
        File.Delete(path);
        SyncDirectoryOf(path);
    }

    public static void SyncDirectoryOf(string path) => SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);

    public static void SyncDirectory(string directory)
    {
        var fd = Native.Open(directory, Native.O_RDONLY | Native.O_DIRECTORY | Native.O_CLOEXEC);
        if (fd < 0)
            throw new IOException($"Cannot open directory \"{directory}\" to sync it: {Native.LastError()}.");
        try
        {
            if (Native.Fsync(fd) != 0)
                throw new IOException($"Cannot sync directory \"{directory}\": {Native.LastError()}.");
        }
        finally
        {
            Native.Close(fd);
        }
    }

    public static void SyncFile(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        RandomAccess.FlushToDisk(handle);
    }

    /// <summary>
    /// Replaces a file's content atomically and durably: a reader sees the old or the new
    /// content, never a mix, whatever crashes. Keeps the owner and mode of the file it replaces.
    /// The temp file is created exclusively, under an unpredictable name, through the directory's
    /// descriptor (<see cref="FileReplacement"/>).
    /// </summary>
    public static void WriteAtomically(string path, string content, int newFilePermissions = 0b110_100_000) =>
        FileReplacement.Replace(path, Encoding.UTF8.GetBytes(content), newFilePermissions, keepExisting: true);
}
