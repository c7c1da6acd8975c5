using LibvirtHook.Platform;

namespace LibvirtHook.Config;

/// <summary>Loading and the one edit the hook makes to a config file.</summary>
internal static class ConfigFile
{
    /// <summary>Larger than any real config; a bigger file is a mistake, not something to parse.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Loads the file, or returns null when there is none (the VM is not managed).</summary>
    public static VmConfig? Load(string path)
    {
        var status = FileSystem.Stat(path, followSymlinks: true);
        if (!status.Exists)
            return null;
        if (status.Kind != FileKind.Regular)
            throw new ConfigException($"Config \"{path}\" is not a regular file; make it one or remove it.");
        CheckTrusted(path, status, "file");
        CheckTrusted(Path.GetDirectoryName(path)!, FileSystem.Stat(Path.GetDirectoryName(path)!, followSymlinks: true), "directory");
        if (status.Size > MaxBytes)
            throw new ConfigException($"Config \"{path}\" is {status.Size} bytes, more than the {MaxBytes} a config may have; it should be a few lines of JSON.");

        return ConfigParser.Parse(File.ReadAllText(path), path);
    }

    /// <summary>
    /// A config that is not in place yet (<c>validate --config</c>: a configuration manager's temp
    /// file): parsed like the real one, but its owner and mode are the installed file's business.
    /// </summary>
    public static VmConfig LoadCandidate(string path)
    {
        var status = FileSystem.Stat(path, followSymlinks: true);
        if (status.Kind != FileKind.Regular)
            throw new ConfigException($"Config \"{path}\" {(status.Exists ? "is not a regular file" : "does not exist")}; name the config file to check.");
        if (status.Size > MaxBytes)
            throw new ConfigException($"Config \"{path}\" is {status.Size} bytes, more than the {MaxBytes} a config may have; it should be a few lines of JSON.");
        return ConfigParser.Parse(File.ReadAllText(path), path);
    }

    /// <summary>
    /// Sets <c>one-shot-commit</c> back to false for the given disks, leaving every other key and
    /// disk as it was. Atomic: a crash leaves the old file or the new one.
    /// </summary>
    public static void ClearOneShotCommit(string path, IReadOnlyCollection<string> targets) => SetOneShotCommit(path, targets, false);

    /// <summary>Sets <c>one-shot-commit</c> for the given disks, keeping every other byte of the file; atomic.</summary>
    public static void SetOneShotCommit(string path, IReadOnlyCollection<string> targets, bool value)
    {
        var edited = OneShotCommitEditor.Set(File.ReadAllText(path), targets, value);
        if (edited is null)
            return;
        ConfigParser.Parse(edited, path); // never write a file the hook itself would refuse
        FileSystem.WriteAtomically(path, edited);
    }

    // Like sshd's StrictModes: whoever can write the config decides which images a root process renames.
    private static void CheckTrusted(string path, FileStatus status, string what)
    {
        if (status.Owner != 0)
            throw new ConfigException($"Config {what} \"{path}\" is owned by uid {status.Owner}, not root; run: chown root \"{path}\".");
        if ((status.Permissions & 0b000_010_010) != 0)
        {
            throw new ConfigException(
                $"Config {what} \"{path}\" is writable by group or others (mode {Convert.ToString(status.Permissions, 8)}); run: chmod go-w \"{path}\".");
        }
    }
}
