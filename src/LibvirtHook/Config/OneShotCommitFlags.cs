using LibvirtHook.Logging;

namespace LibvirtHook.Config;

/// <summary>
/// The one-shot-commit flags of one VM's config, as the disk layer needs them at a stop: whether
/// a disk's session is to be kept, and setting the flag back once it was.
/// </summary>
internal sealed class OneShotCommitFlags(string configPath, VmConfig? config, CallLog log)
{
    /// <summary>The flag in the config now; null when the config (or the disk in it) is gone or unreadable.</summary>
    public bool? Requested(string target) => config?.FindDisk(target)?.OneShotCommit;

    /// <returns>False when the flag could not be reset (the log says why and what to do).</returns>
    public bool Clear(string target)
    {
        try
        {
            if (!File.Exists(configPath))
                return false;
            ConfigFile.ClearOneShotCommit(configPath, [target]);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ConfigException or System.Text.Json.JsonException)
        {
            log.Warning(target, $"committed, but could not reset one-shot-commit in \"{configPath}\": {e.Message}. Set it to false by hand, or the next session is committed too.");
            return false;
        }
    }
}
