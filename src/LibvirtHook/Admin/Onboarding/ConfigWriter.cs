using System.Text;
using LibvirtHook.Config;
using LibvirtHook.Platform;

namespace LibvirtHook.Admin.Onboarding;

/// <summary>
/// Writes a VM config the way prepare wants to find it: owned by root, mode 0644, in a directory
/// that is root's and not writable by others; atomically, so the hook sees the old file or the new one.
/// </summary>
internal static class ConfigWriter
{
    private const int Mode = 0b110_100_100;

    public static string BackupPath(string path) => path + ".bak";

    /// <summary>
    /// Refuses a config directory the hook would refuse to read from (the same rule,
    /// <see cref="ConfigTrust"/>: root's, down from /); creates it (root, 0755) when missing.
    /// </summary>
    public static void CheckDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, (UnixFileMode)0b111_101_101);
            Native.Chown(directory, 0, 0);
        }

        try
        {
            ConfigTrust.CheckDirectories(directory, null);
        }
        catch (ConfigException e)
        {
            throw new ConfigException($"{e.Message} Until then the hook would refuse every config in it.");
        }
    }

    /// <returns>The backup of the file it replaced, or null when there was none.</returns>
    public static string? Write(string path, string content)
    {
        string? backup = null;
        if (File.Exists(path))
        {
            backup = BackupPath(path);
            FileReplacement.Replace(backup, File.ReadAllBytes(path), Mode, owner: (0, 0));
        }

        // A link at the config's name is replaced, never written through.
        FileReplacement.Replace(path, Encoding.UTF8.GetBytes(content), Mode, owner: (0, 0));
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
