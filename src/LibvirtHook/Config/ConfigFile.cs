using LibvirtHook.Platform;

namespace LibvirtHook.Config;

/// <summary>Loading and the one edit the hook makes to a config file.</summary>
internal static class ConfigFile
{
    /// <summary>Larger than any real config; a bigger file is a mistake, not something to parse.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Loads the file, or returns null when there is none (the VM is not managed).</summary>
    /// <exception cref="ConfigException">It does not parse, or others could have written it (<see cref="ConfigTrust"/>).</exception>
    public static VmConfig? Load(string path)
    {
        using var file = ConfigTrust.Open(path, MaxBytes);
        return file is null ? null : ConfigParser.Parse(ReadText(file), path);
    }

    /// <summary>
    /// A config that is not in place yet (<c>validate --config</c>: a configuration manager's temp
    /// file): parsed like the real one, but its owner and mode are the installed file's business.
    /// </summary>
    public static VmConfig LoadCandidate(string path)
    {
        // Opened once without blocking and read from that descriptor, like the real one: a FIFO
        // must not hang validate.
        OpenedFile? opened;
        try
        {
            opened = OpenedFile.Open(path, followSymlinks: true);
        }
        catch (IOException e)
        {
            throw new ConfigException($"Config \"{path}\" cannot be opened: {e.Message}");
        }

        using var file = opened;
        if (file is not { IsRegular: true })
            throw new ConfigException($"Config \"{path}\" {(file is null ? "does not exist" : $"is {file.KindName}, not a regular file")}; name the config file to check.");
        if ((long)file.Status.Size > MaxBytes)
            throw new ConfigException($"Config \"{path}\" is {file.Status.Size} bytes, more than the {MaxBytes} a config may have; it should be a few lines of JSON.");
        return ConfigParser.Parse(ReadText(file), path);
    }

    /// <summary>
    /// Sets <c>one-shot-commit</c> back to false for the given disks, leaving every other key and
    /// disk as it was. Atomic: a crash leaves the old file or the new one.
    /// </summary>
    public static void ClearOneShotCommit(string path, IReadOnlyCollection<string> targets) => SetOneShotCommit(path, targets, false);

    /// <summary>Sets <c>one-shot-commit</c> for the given disks, keeping every other byte of the file; atomic.</summary>
    public static void SetOneShotCommit(string path, IReadOnlyCollection<string> targets, bool value)
    {
        string text;
        using (var file = ConfigTrust.Open(path, MaxBytes) ?? throw new ConfigException($"Config \"{path}\" does not exist (any more)."))
            text = ReadText(file);
        var edited = OneShotCommitEditor.Set(text, targets, value);
        if (edited is null)
            return;
        ConfigParser.Parse(edited, path); // never write a file the hook itself would refuse
        // Keeps the mode and owner of a plain file; a link at the name becomes a root-owned 0644 file.
        FileReplacement.Replace(path, System.Text.Encoding.UTF8.GetBytes(edited), 0b110_100_100, owner: (0, 0), keepExisting: true);
    }

    private static string ReadText(OpenedFile file)
    {
        try
        {
            return file.ReadAllText(MaxBytes);
        }
        catch (IOException e)
        {
            throw new ConfigException($"Config \"{file.Path}\" cannot be read: {e.Message}");
        }
    }
}
