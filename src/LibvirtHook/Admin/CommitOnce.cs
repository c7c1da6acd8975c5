using LibvirtHook.Config;

namespace LibvirtHook.Admin;

/// <summary><c>libvirt-hook commit-once</c>: sets one-shot-commit for some (or all) stateless disks of a VM's config.</summary>
internal static class CommitOnce
{
    /// <returns>The disks whose flag is now set.</returns>
    /// <exception cref="ConfigException">No config, or it names none of <paramref name="requested"/>.</exception>
    public static IReadOnlyList<string> Request(HookPaths paths, string name, IReadOnlyList<string> requested)
    {
        var path = paths.ConfigFile(name);
        var config = ConfigFile.Load(path) ?? throw new ConfigException($"\"{name}\" has no config \"{path}\"; create one first (see hooks-config-samples/).");
        var targets = requested.Count > 0 ? requested : [.. config.Disks.Select(d => d.Target)];
        var unknown = targets.Where(t => config.FindDisk(t) is null).ToList();
        if (unknown.Count > 0 || targets.Count == 0)
        {
            throw new ConfigException(
                $"Config \"{path}\" has no stateless disk {string.Join(", ", unknown.Select(t => $"\"{t}\""))}; it has: {(config.Disks.Count == 0 ? "none" : string.Join(", ", config.Disks.Select(d => d.Target)))}.");
        }

        ConfigFile.SetOneShotCommit(path, [.. targets], true);
        return targets;
    }
}
