using System.Text;
using LibvirtHook.Platform;

namespace LibvirtHook.Logging;

/// <summary>
/// Appends whole lines to hooks.log. Many hook processes write at once, so each line is one
/// write(2) at the file's end under an exclusive flock: lines never interleave or overwrite
/// each other. A log failure never fails the hook.
/// </summary>
internal sealed class HookLog(string path)
{
    public string Path { get; } = path;

    /// <summary>Writes a line made by <see cref="LogCatalog"/>.</summary>
    public void Write(LogLine line)
    {
        try
        {
            Append(line.ToString().ReplaceLineEndings(" ") + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"libvirt-hook: cannot write to \"{Path}\": {e.Message}");
        }
    }

    private void Append(string line)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        using var handle = File.OpenHandle(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        var fd = (int)handle.DangerousGetHandle();
        while (Native.Flock(fd, Native.LOCK_EX) != 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Native.EINTR)
        {
        }

        // The end is read under the lock, so no other writer can move it before this write.
        RandomAccess.Write(handle, Encoding.UTF8.GetBytes(line), RandomAccess.GetLength(handle));
    }
}
