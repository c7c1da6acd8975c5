using LibvirtHook.Config;
using LibvirtHook.Domain;
using LibvirtHook.Stateless;
using LibvirtHook.Tools;

namespace LibvirtHook.Admin;

/// <summary>
/// <c>libvirt-hook validate</c>: what prepare would refuse, found before the VM is started, against
/// the live domain XML. One sentence per problem.
/// </summary>
internal sealed class ConfigValidator(HookPaths paths, ToolPaths tools)
{
    public IReadOnlyList<string> Validate(string name)
    {
        var problems = new List<string>();
        var configPath = paths.ConfigFile(name);
        VmConfig? config;
        try
        {
            config = ConfigFile.Load(configPath);
        }
        catch (ConfigException e)
        {
            return [e.Message];
        }

        if (config is null)
            return [$"There is no config \"{configPath}\"; the VM is not managed."];

        DomainDescription domain;
        try
        {
            domain = DomainXml.Parse(new Virsh(tools).DumpXml(name));
        }
        catch (LibvirtHookException e)
        {
            return [$"Cannot read domain \"{name}\" from libvirt: {e.Message}"];
        }

        var journal = new JournalStore(paths.JournalFile(name)).Load();
        foreach (var disk in config.Disks)
        {
            try
            {
                var image = DiskRules.ImageOf(domain, config, disk);
                var info = new QemuImg(tools).Info(image, shared: true);
                if (info.Format is not ("qcow2" or "raw"))
                    problems.Add($"Disk \"{disk.Target}\" of \"{name}\": image \"{image}\" is {info.Format}; only qcow2 and raw bases are tested, convert it with qemu-img convert.");
                var recorded = journal?.Disks.Any(d => d.Target == disk.Target) ?? false;
                foreach (var leftover in new[] { JournalEntry.BaseNameFor(image), JournalEntry.NewOverlayNameFor(image) })
                {
                    if (!recorded && File.Exists(leftover))
                        problems.Add($"Disk \"{disk.Target}\" of \"{name}\": \"{leftover}\" exists but the hook has no record of it; prepare will refuse to start the VM until you check it and remove it.");
                }
            }
            catch (LibvirtHookException e)
            {
                problems.Add(e.Message);
            }
        }

        return problems;
    }
}
