using System.Text;
using LibvirtHook.Config;
using LibvirtHook.Platform;

namespace LibvirtHook.Admin;

/// <summary>
/// Writes a VM config the way prepare wants to find it: owned by root, mode 0644, in a directory
/// that is root's and not writable by others; atomically, so the hook sees the old file or the new one.
/// </summary>
internal static class ConfigWriter
{
    private const int Mode = 0b110_100_100;

    public static string BackupPath(string path) => path + ".bak";

    /// <summary>Refuses a config directory the hook would refuse to read from; creates it (root, 0755) when missing.</summary>
    public static void CheckDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, (UnixFileMode)0b111_101_101);
            Native.Chown(directory, 0, 0);
        }

        var status = FileSystem.Stat(directory, followSymlinks: true);
        if (status.Owner != 0)
            throw new ConfigException($"Config directory \"{directory}\" is owned by uid {status.Owner}, not root, so the hook would refuse every config in it; run: chown root \"{directory}\".");
        if ((status.Permissions & 0b000_010_010) != 0)
            throw new ConfigException($"Config directory \"{directory}\" is writable by group or others (mode {Convert.ToString(status.Permissions, 8)}), so the hook would refuse every config in it; run: chmod go-w \"{directory}\".");
    }

    /// <returns>The backup of the file it replaced, or null when there was none.</returns>
    public static string? Write(string path, string content)
    {
        string? backup = null;
        if (File.Exists(path))
        {
            backup = BackupPath(path);
            File.Copy(path, backup, overwrite: true);
            FileSystem.SyncFile(backup);
        }

        var temp = path + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = (UnixFileMode)Mode }))
            {
                stream.Write(Encoding.UTF8.GetBytes(content));
                stream.Flush(flushToDisk: true);
            }

            File.SetUnixFileMode(temp, (UnixFileMode)Mode);
            if (Native.Chown(temp, 0, 0) != 0)
                throw new IOException($"Cannot make \"{temp}\" owned by root: {Native.LastError()}; run libvirt-hook as root.");
            FileSystem.Rename(temp, path);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        return backup;
    }

    /// <summary>Takes a config out of the hook's sight, keeping it as <c>.bak</c> (atomic rename).</summary>
    public static string Remove(string path)
    {
        var backup = BackupPath(path);
        FileSystem.Rename(path, backup);
        return backup;
    }
}
