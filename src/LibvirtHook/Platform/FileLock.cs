namespace LibvirtHook.Platform;

/// <summary>
/// An exclusive flock(2) on a lock file, held until disposed. The kernel drops it when the
/// process dies, so a killed hook never leaves a VM locked.
/// </summary>
internal sealed class FileLock : IDisposable
{
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _handle;

    private FileLock(Microsoft.Win32.SafeHandles.SafeFileHandle handle) => _handle = handle;

    public static FileLock Acquire(string path)
    {
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite);
        var fd = (int)handle.DangerousGetHandle();
        while (Native.Flock(fd, Native.LOCK_EX) != 0)
        {
            if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Native.EINTR)
            {
                var message = Native.LastError();
                handle.Dispose();
                throw new IOException($"Cannot lock \"{path}\": {message}.");
            }
        }

        return new FileLock(handle);
    }

    /// <summary>Takes the lock if nobody holds it; null if somebody does.</summary>
    public static FileLock? TryAcquire(string path)
    {
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite);
        if (Native.Flock((int)handle.DangerousGetHandle(), Native.LOCK_EX | Native.LOCK_NB) == 0)
            return new FileLock(handle);
        handle.Dispose();
        return null;
    }

    public void Dispose() => _handle.Dispose();
}
