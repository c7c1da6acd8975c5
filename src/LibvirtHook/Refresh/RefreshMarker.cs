using System.Globalization;
using System.Text;
using LibvirtHook.Platform;
using Microsoft.Win32.SafeHandles;

namespace LibvirtHook.Refresh;

/// <summary>
/// The hand-off between <c>libvirt-hook refresh</c> and the restart feature: <c>&lt;vm&gt;.refresh</c>
/// in the state directory, which refresh holds an exclusive flock on (and writes its pid into)
/// from before its <c>virsh shutdown</c> until after its <c>virsh start</c>. The release hook and
/// the restart worker leave the VM to a live holder. The kernel drops the lock when refresh dies,
/// so a killed refresh leaves a file that nobody honours and the next refresh takes over: no
/// clock decides when a marker is stale.
/// </summary>
internal sealed class RefreshMarker : IDisposable
{
    // A reader's probe holds a shared lock for a few microseconds; refresh must not mistake it for a rival.
    private static readonly TimeSpan ProbePatience = TimeSpan.FromSeconds(2);

    private readonly string _path;
    private readonly SafeFileHandle _handle;

    private RefreshMarker(string path, SafeFileHandle handle)
    {
        _path = path;
        _handle = handle;
    }

    /// <summary>Takes the marker for this process; null when a live refresh holds it.</summary>
    public static RefreshMarker? TryTake(string path)
    {
        var until = DateTime.UtcNow + ProbePatience;
        while (true)
        {
            var fd = Native.OpenAt(Native.AT_FDCWD, path, Native.O_RDWR | Native.O_CREAT | Native.O_NOFOLLOW | Native.O_CLOEXEC, 0b110_000_000);
            if (fd < 0)
                throw new IOException($"Cannot open the refresh marker \"{path}\": {Native.LastError()}; check that the state directory is root's and not a symlink.");
            var handle = new SafeFileHandle(fd, ownsHandle: true);
            if (Native.Flock(fd, Native.LOCK_EX | Native.LOCK_NB) != 0)
            {
                handle.Dispose();
                if (DateTime.UtcNow > until)
                    return null;
                Thread.Sleep(20);
                continue;
            }

            // A previous holder unlinks the file before it lets go: a lock on that old inode marks nothing.
            if (!IsStillAt(fd, path))
            {
                handle.Dispose();
                continue;
            }

            var content = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"pid={Environment.ProcessId} since={DateTimeOffset.Now:O}\n"));
            RandomAccess.SetLength(handle, 0);
            RandomAccess.Write(handle, content, 0);
            return new RefreshMarker(path, handle);
        }
    }

    /// <summary>
    /// Why the restart feature must not start the VM now: a live refresh holds the marker
    /// (its words name the pid); null when nobody does.
    /// </summary>
    public static string? HeldBy(string path)
    {
        var fd = Native.Open(path, Native.O_RDONLY | Native.O_NOFOLLOW | Native.O_CLOEXEC);
        if (fd < 0)
            return null;
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Native.Flock(fd, Native.LOCK_SH | Native.LOCK_NB) == 0)
            return null; // Left by a refresh that died; closing the handle drops the probe's lock.
        var buffer = new byte[200];
        var text = Encoding.UTF8.GetString(buffer, 0, RandomAccess.Read(handle, buffer, 0));
        var pid = text.Split(' ', '\n').FirstOrDefault(w => w.StartsWith("pid=", StringComparison.Ordinal))?[4..] ?? "?";
        return $"libvirt-hook refresh (pid {pid}) stops and starts it itself";
    }

    public void Dispose()
    {
        // Unlinked while still locked: a reader finds no file, or an unlocked one, only once refresh is done.
        File.Delete(_path);
        _handle.Dispose();
    }

    private static bool IsStillAt(int fd, string path) =>
        Native.Statx(fd, "", Native.AT_EMPTY_PATH, Native.STATX_BASIC_STATS, out var open) == 0
        && Native.Statx(Native.AT_FDCWD, path, Native.AT_SYMLINK_NOFOLLOW, Native.STATX_BASIC_STATS, out var named) == 0
        && open.Inode == named.Inode && open.DevMajor == named.DevMajor && open.DevMinor == named.DevMinor;
}
