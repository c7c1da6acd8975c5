using Microsoft.Win32.SafeHandles;

namespace LibvirtHook.Platform;

/// <summary>
/// An open file, acted on only through its descriptor: whatever happens to the name it was
/// opened by, its status, owner, mode and bytes are those of the file that was opened.
/// </summary>
internal sealed class FileHandle : IDisposable
{
    private readonly SafeFileHandle _handle;

    public FileHandle(int fd, string path)
    {
        _handle = new SafeFileHandle(fd, ownsHandle: true);
        Path = path;
    }

    /// <summary>The name it was opened by, for messages only.</summary>
    public string Path { get; }

    private int Fd => (int)_handle.DangerousGetHandle();

    /// <summary>
    /// A path that leads to this very file for a child process running as root (the magic link
    /// in /proc), whatever the name it was opened by leads to by then: for qemu-img.
    /// </summary>
    public string ProcPath => $"/proc/{Environment.ProcessId}/fd/{Fd}";

    public FileStatus Status => FileSystem.StatDescriptor(Fd, Path);

    public void ChangeOwnership(FileOwnership ownership)
    {
        // Owner first: chown clears set-id bits, which the mode then sets again if it had them.
        if (Native.FChown(Fd, ownership.Owner, ownership.Group) != 0)
            throw new IOException($"Cannot give \"{Path}\" the owner {ownership.Owner}:{ownership.Group}: {Native.LastError()}.");
        if (Native.FChmod(Fd, (uint)ownership.Mode) != 0)
            throw new IOException($"Cannot give \"{Path}\" the mode {Convert.ToString(ownership.Mode, 8)}: {Native.LastError()}.");
    }

    public int Read(Span<byte> buffer, long offset) => RandomAccess.Read(_handle, buffer, offset);

    public void Sync() => RandomAccess.FlushToDisk(_handle);

    public void Dispose() => _handle.Dispose();
}
