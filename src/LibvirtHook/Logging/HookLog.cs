using System.Globalization;
using System.Text;
using LibvirtHook.Platform;

namespace LibvirtHook.Logging;

/// <summary>
/// Appends whole lines to hooks.log. Many hook processes write at once, so each line is one
/// write(2) at the file's end under an exclusive flock: lines never interleave or overwrite
/// each other. A log failure never fails the hook.
/// </summary>
public sealed class HookLog(string path)
{
    public string Path { get; } = path;

    public void Write(string domain, string operation, string message)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{DateTimeOffset.Now:yyyy-MM-ddTHH:mm:ss.fffzzz} [{Environment.ProcessId}] vm={Quote(domain)} op={operation} {message}");
        try
        {
            Append(line.ReplaceLineEndings(" ") + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"libvirt-hook: cannot write to \"{Path}\": {e.Message}");
        }
    }

    /// <summary>Quotes a value the way the log does, so a domain name with spaces or quotes stays one field.</summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                _ => c.ToString(),
            });
        }

        return builder.Append('"').ToString();
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
