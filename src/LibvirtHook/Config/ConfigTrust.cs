using LibvirtHook.Platform;

namespace LibvirtHook.Config;

/// <summary>
/// Who may decide what the hook does, like sshd's StrictModes: whoever can write a config, or
/// replace it by renaming in any directory on its way, decides which images a root process
/// renames and which VMs it starts. The one place for the rule, for the hook and for the admin
/// side (<c>enable</c>'s writer) alike:
/// the file is opened once (following a symbolic link is allowed), judged by its descriptor
/// (a regular file, root's, not writable by group or others, not too large) and read from that
/// descriptor; every directory from / down to where the opened file really is, and down to the
/// config directory itself, must be root's and not writable by group or others (a sticky
/// world-writable directory like /tmp is not enough: anyone may create the name there first).
/// </summary>
internal static class ConfigTrust
{
    private const int GroupOrOtherWrite = 0b000_010_010;

    /// <returns>The config file, opened and checked; null when there is none.</returns>
    /// <exception cref="ConfigException">It must not be trusted; the message names the path and the fix.</exception>
    public static OpenedFile? Open(string path, long maxBytes)
    {
        OpenedFile? file;
        try
        {
            file = OpenedFile.Open(path, followSymlinks: true);
        }
        catch (IOException e)
        {
            throw new ConfigException($"Config \"{path}\" cannot be opened: {e.Message} Make it a regular file owned by root.");
        }

        if (file is null)
            return null;
        try
        {
            if (!file.IsRegular)
                throw new ConfigException($"Config \"{path}\" is {file.KindName}, not a regular file; make it one or remove it.");
            CheckOwnerAndMode(path, file.Status, "file", "");
            if ((long)file.Status.Size > maxBytes)
                throw new ConfigException($"Config \"{path}\" is {file.Status.Size} bytes, more than the {maxBytes} a config may have; it should be a few lines of JSON.");
            var real = file.RealPath();
            CheckDirectories(Path.GetDirectoryName(Path.GetFullPath(path))!, null);
            if (real != Path.GetFullPath(path))
            {
                CheckOwnerAndMode(real, file.Status, "file", $" (what \"{path}\" leads to)");
                CheckDirectories(Path.GetDirectoryName(real)!, path);
            }

            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Every directory from / down to <paramref name="directory"/> (its real path, links resolved)
    /// is root's and not writable by group or others.
    /// </summary>
    /// <param name="forConfig">The config it is checked for, named in the message; null for the config directory itself.</param>
    public static void CheckDirectories(string directory, string? forConfig)
    {
        string real;
        try
        {
            using var opened = OpenedFile.Open(directory, followSymlinks: true)
                ?? throw new ConfigException($"Config directory \"{directory}\" does not exist.");
            if (opened.Status.Kind != FileKind.Directory)
                throw new ConfigException($"Config directory \"{directory}\" is {opened.KindName}, not a directory.");
            real = opened.RealPath();
        }
        catch (IOException e)
        {
            throw new ConfigException($"Config directory \"{directory}\" cannot be opened: {e.Message}");
        }

        var on = forConfig is null ? "" : $" (on the way to config \"{forConfig}\")";
        var current = "/";
        foreach (var part in real.Split('/', StringSplitOptions.RemoveEmptyEntries).Prepend(""))
        {
            current = part.Length == 0 ? "/" : Path.Combine(current, part);
            var status = FileSystem.Stat(current);
            if (status.Kind != FileKind.Directory)
                throw new ConfigException($"Config directory \"{current}\"{on} is not a directory any more; check it.");
            CheckOwnerAndMode(current, status, "directory", on);
        }
    }

    private static void CheckOwnerAndMode(string path, FileStatus status, string what, string on)
    {
        if (status.Owner != 0)
            throw new ConfigException($"Config {what} \"{path}\"{on} is owned by uid {status.Owner}, not root; run: chown root \"{path}\"{MoveAdvice(what, on)}.");
        if ((status.Permissions & GroupOrOtherWrite) != 0)
        {
            var shared = (status.Permissions & 0b001_000_000_000) != 0 ? ", a shared directory like /tmp where anyone may create names" : "";
            throw new ConfigException(
                $"Config {what} \"{path}\"{on} is writable by group or others (mode {Convert.ToString(status.Permissions, 8)}{shared}); run: chmod go-w \"{path}\"{MoveAdvice(what, on)}.");
        }
    }

    private static string MoveAdvice(string what, string on) =>
        what == "directory" && on.Length > 0 ? ", or keep the config itself in the config directory instead of linking to it" : "";
}
