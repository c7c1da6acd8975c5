using System.Runtime.InteropServices;

namespace LibvirtHook.Platform;

/// <summary>
/// An open directory that names inside it are reached through (the *at(2) calls), so that
/// renaming or replacing the directory, or any directory above it, cannot redirect what the
/// hook creates, links, renames or removes. Names are single path components and are never
/// followed when they are symbolic links, except where a method says so.
/// </summary>
internal sealed class DirectoryHandle : IDisposable
{
    private const int TemporaryNameAttempts = 8;

    private readonly int _fd;

    private DirectoryHandle(int fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    /// <summary>The path it was opened by, for messages and for paths shown to the admin.</summary>
    public string Path { get; }

    /// <summary>A path to this directory that its own renaming cannot redirect: the magic link in /proc, for qemu-img.</summary>
    public string ProcPath => $"/proc/{Environment.ProcessId}/fd/{_fd}";

    public FileStatus Status => FileSystem.StatDescriptor(_fd, Path);

    /// <summary>Opens the directory a path names (symbolic links on the way are followed, as libvirt follows them).</summary>
    /// <param name="purpose">What it is opened for, in the message if it cannot be (" to write \"x\" in it").</param>
    public static DirectoryHandle Open(string path, string purpose = "")
    {
        var fd = Native.Open(path, Native.O_RDONLY | Native.O_DIRECTORY | Native.O_CLOEXEC | Native.O_NONBLOCK);
        if (fd < 0)
            throw new IOException($"Cannot open directory \"{path}\"{purpose}: {Native.LastError()}.");
        return new DirectoryHandle(fd, path);
    }

    public string PathOf(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>What the name is, without following it.</summary>
    public FileStatus Stat(string name) => FileSystem.StatAt(_fd, name, PathOf(name));

    /// <summary>
    /// Opens a file for reading without blocking (a FIFO planted at the name does not hang the
    /// hook) and without following a symbolic link unless asked; callers check its status.
    /// </summary>
    public OpenedFile OpenForReading(string name, bool followSymlink = false)
    {
        var flags = Native.O_RDONLY | Native.O_CLOEXEC | Native.O_NONBLOCK | (followSymlink ? 0 : Native.O_NOFOLLOW);
        var fd = Native.OpenAt(_fd, name, flags, 0);
        if (fd < 0)
            throw new IOException($"Cannot open \"{PathOf(name)}\": {Native.LastError()}.");
        return OpenedFile.FromDescriptor(fd, PathOf(name));
    }

    /// <summary>Creates a new, empty file only root can read or write; fails if anything (even a dangling link) is at the name.</summary>
    public OpenedFile CreateExclusive(string name)
    {
        var fd = Native.OpenAt(_fd, name, Native.O_RDWR | Native.O_CREAT | Native.O_EXCL | Native.O_NOFOLLOW | Native.O_CLOEXEC | Native.O_NONBLOCK, 0b110_000_000);
        if (fd < 0)
            throw new IOException($"Cannot create \"{PathOf(name)}\": {Native.LastError()}.");
        return OpenedFile.FromDescriptor(fd, PathOf(name));
    }

    /// <summary>
    /// Creates a new, empty file only root can read or write, beside <paramref name="name"/>, under
    /// a hidden name with 64 random bits: nobody can plant a link at a name they cannot guess.
    /// </summary>
    public (OpenedFile File, string Name) CreateTemporaryBeside(string name)
    {
        const int flags = Native.O_WRONLY | Native.O_CREAT | Native.O_EXCL | Native.O_NOFOLLOW | Native.O_CLOEXEC;
        Span<byte> random = stackalloc byte[8];
        for (var attempt = 0; ; attempt++)
        {
            Native.FillRandom(random);
            var temp = $".{name}.tmp-{Convert.ToHexStringLower(random)}";
            var fd = Native.OpenAt(_fd, temp, flags, 0b110_000_000);
            if (fd >= 0)
                return (OpenedFile.FromDescriptor(fd, PathOf(temp)), temp);
            if (Marshal.GetLastPInvokeError() != Native.EEXIST || attempt + 1 >= TemporaryNameAttempts)
                throw new IOException($"Cannot create a temporary file beside \"{PathOf(name)}\": {Native.LastError()}.");
        }
    }

    /// <summary>link(2) of the name itself (a symbolic link is linked, not its target); fails if the new name exists.</summary>
    public void Link(string existing, string newName)
    {
        if (Native.LinkAt(_fd, existing, _fd, newName, 0) != 0)
            throw new IOException($"Cannot link \"{PathOf(existing)}\" to \"{PathOf(newName)}\": {Native.LastError()}.");
    }

    /// <summary>rename(2) within this directory: atomic, replaces <paramref name="to"/>; then made durable.</summary>
    public void Rename(string from, string to)
    {
        if (Native.RenameAt(_fd, from, _fd, to) != 0)
            throw new IOException($"Cannot rename \"{PathOf(from)}\" to \"{PathOf(to)}\": {Native.LastError()}.");
        Sync();
    }

    /// <summary>Removes the name (never a directory); true if something was removed.</summary>
    public bool Unlink(string name)
    {
        if (Native.UnlinkAt(_fd, name, 0) != 0)
        {
            if (Marshal.GetLastPInvokeError() == Native.ENOENT)
                return false;
            throw new IOException($"Cannot remove \"{PathOf(name)}\": {Native.LastError()}.");
        }

        Sync();
        return true;
    }

    /// <summary>Removes the name if it can, and says nothing if it cannot: for cleaning up after a failure that is being reported.</summary>
    public void UnlinkQuietly(string name) => Native.UnlinkAt(_fd, name, 0);

    public void Sync()
    {
        if (Native.Fsync(_fd) != 0)
            throw new IOException($"Cannot sync directory \"{Path}\": {Native.LastError()}.");
    }

    public void Dispose() => Native.Close(_fd);
}
