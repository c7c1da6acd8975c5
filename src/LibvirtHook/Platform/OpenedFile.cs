using System.Text;
using Microsoft.Win32.SafeHandles;

namespace LibvirtHook.Platform;

/// <summary>
/// A file opened once and acted on only through its descriptor: whatever happens to the name it
/// was opened by, its status (fstat at the open), owner, mode and bytes are those of the file that
/// was opened. Every open is O_NONBLOCK, so a FIFO or a device planted where a file was expected
/// cannot make it wait for ever; only a regular file is ever read (see <see cref="IsRegular"/>).
/// Opened by path (<see cref="Open"/>, the admin side and the config) or through a directory's
/// descriptor (<see cref="DirectoryHandle"/>, the disk layer).
/// </summary>
internal sealed class OpenedFile : IDisposable
{
    private readonly SafeFileHandle _handle;

    private OpenedFile(SafeFileHandle handle, string path, FileStatus status)
    {
        _handle = handle;
        Path = path;
        Status = status;
    }

    /// <summary>The name it was opened by (for messages).</summary>
    public string Path { get; }

    /// <summary>What fstat said of the open file itself when it was opened.</summary>
    public FileStatus Status { get; }

    public bool IsRegular => Status.Kind == FileKind.Regular;

    /// <summary>"a FIFO", "a directory", ...: what a message says this is when it is not a regular file.</summary>
    public string KindName =>
        Native.Statx(Fd, "", Native.AT_EMPTY_PATH, Native.STATX_BASIC_STATS, out var buffer) == 0
            ? KindOf(buffer.Mode)
            : "not a regular file";

    /// <summary>
    /// A path that leads to this very file for a child process running as root (the magic link
    /// in /proc), whatever the name it was opened by leads to by then: for qemu-img.
    /// </summary>
    public string ProcPath => $"/proc/{Environment.ProcessId}/fd/{Fd}";

    private int Fd => (int)_handle.DangerousGetHandle();

    /// <param name="followSymlinks">False for a name the hook made: a symbolic link there is not followed (ELOOP).</param>
    /// <returns>Null when there is nothing at <paramref name="path"/>.</returns>
    /// <exception cref="IOException">It cannot be opened (including a symbolic link where none is followed).</exception>
    public static OpenedFile? Open(string path, bool followSymlinks)
    {
        var flags = Native.O_RDONLY | Native.O_NONBLOCK | Native.O_NOCTTY | Native.O_CLOEXEC
            | (followSymlinks ? 0 : Native.O_NOFOLLOW);
        var fd = Native.OpenAt(Native.AT_FDCWD, path, flags, 0);
        if (fd < 0)
        {
            var error = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (error is Native.ENOENT or 20 /* ENOTDIR */)
                return null;
            if (error == Native.ELOOP)
                throw new IOException(followSymlinks ? $"\"{path}\" is a loop of symbolic links." : $"\"{path}\" is a symbolic link, where the hook only ever makes plain files.");
            throw new IOException($"Cannot open \"{path}\": {Native.LastError()}.");
        }

        return FromDescriptor(fd, path);
    }

    /// <summary>Takes over a descriptor just opened (it is closed with this, or at once if fstat fails).</summary>
    public static OpenedFile FromDescriptor(int fd, string path)
    {
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            return new OpenedFile(handle, path, FileSystem.StatDescriptor(fd, path));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads at most <paramref name="buffer"/>'s length from <paramref name="offset"/>; only a regular file is read.</summary>
    public int Read(Span<byte> buffer, long offset)
    {
        if (!IsRegular)
            throw new IOException($"\"{Path}\" is {KindName}, not a regular file; it is not read.");
        return RandomAccess.Read(_handle, buffer, offset);
    }

    /// <summary>The whole file as UTF-8, read from the descriptor; refused beyond <paramref name="maxBytes"/>.</summary>
    public string ReadAllText(long maxBytes)
    {
        if ((long)Status.Size > maxBytes)
            throw new IOException($"\"{Path}\" is {Status.Size} bytes, more than {maxBytes}.");
        var bytes = new byte[(int)Status.Size];
        var total = 0;
        while (total < bytes.Length)
        {
            var read = Read(bytes.AsSpan(total), total);
            if (read == 0)
                break;
            total += read;
        }

        return Encoding.UTF8.GetString(bytes, 0, total);
    }

    public void Write(ReadOnlySpan<byte> content, long offset) => RandomAccess.Write(_handle, content, offset);

    /// <summary>Where the opened file really is (its directory may have been reached through links): /proc/self/fd/N.</summary>
    public string RealPath()
    {
        var buffer = new byte[4096];
        var length = Native.ReadLink($"/proc/self/fd/{Fd}", buffer, buffer.Length);
        if (length < 0 || length >= buffer.Length)
            throw new IOException($"Cannot tell where \"{Path}\" really is (/proc/self/fd): {Native.LastError()}.");
        return Encoding.UTF8.GetString(buffer, 0, (int)length);
    }

    /// <summary>fchown(2) through the descriptor.</summary>
    /// <returns>Null when done; otherwise the system's reason, for the caller's message.</returns>
    public string? TrySetOwner(uint owner, uint group) => Native.FChown(Fd, owner, group) == 0 ? null : Native.LastError();

    /// <summary>fchmod(2) through the descriptor.</summary>
    /// <returns>Null when done; otherwise the system's reason, for the caller's message.</returns>
    public string? TrySetMode(int mode) => Native.FChmod(Fd, (uint)mode) == 0 ? null : Native.LastError();

    public void ChangeOwnership(FileOwnership ownership)
    {
        // Owner first: chown clears set-id bits, which the mode then sets again if it had them.
        if (TrySetOwner(ownership.Owner, ownership.Group) is { } ownerError)
            throw new IOException($"Cannot give \"{Path}\" the owner {ownership.Owner}:{ownership.Group}: {ownerError}.");
        if (TrySetMode(ownership.Mode) is { } modeError)
            throw new IOException($"Cannot give \"{Path}\" the mode {Convert.ToString(ownership.Mode, 8)}: {modeError}.");
    }

    public void Sync() => RandomAccess.FlushToDisk(_handle);

    public void Dispose() => _handle.Dispose();

    public static string KindOf(int mode) => (mode & 0xF000) switch
    {
        0x8000 => "a regular file",
        0x4000 => "a directory",
        0xA000 => "a symbolic link",
        0x6000 => "a block device",
        0x2000 => "a character device",
        0x1000 => "a FIFO",
        0xC000 => "a socket",
        _ => "not a regular file",
    };
}
