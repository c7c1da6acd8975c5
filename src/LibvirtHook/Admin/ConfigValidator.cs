using LibvirtHook.Config;
using LibvirtHook.Domain;
using LibvirtHook.Stateless;
using LibvirtHook.Tools;

namespace LibvirtHook.Admin;

/// <summary>
/// <c>libvirt-hook validate</c> and <c>enable</c>: what prepare would refuse, found before the VM
/// is started, against the persistent domain XML (the one its next start uses). One sentence per problem.
/// </summary>
internal sealed class ConfigValidator(HookPaths paths, ToolPaths tools)
{
    /// <param name="candidate">A config file to check instead of the VM's own (validate --config).</param>
    public Findings Validate(string name, string? candidate = null)
    {
        var configPath = candidate ?? paths.ConfigFile(name);
        VmConfig? config;
        try
        {
            config = candidate is null ? ConfigFile.Load(configPath) : ConfigFile.LoadCandidate(candidate);
        }
        catch (ConfigException e)
        {
            return Findings.Problem(e.Message);
        }

        if (config is null)
            return Findings.Problem($"There is no config \"{configPath}\"; the VM is not managed.");

        DomainDescription domain;
        try
        {
            domain = DomainXml.Parse(new Virsh(tools).DumpInactiveXml(name));
        }
        catch (LibvirtHookException e)
        {
            return Findings.Problem($"Cannot read domain \"{name}\" from libvirt: {e.Message}");
        }

        return new Findings
        {
            Problems = CheckDisks(name, config, domain),
            Warnings = RebootAdvice.Warning(name, domain, config) is { } warning ? [warning] : [],
        };
    }

    /// <summary>The checks prepare makes on each configured disk, plus leftovers it would refuse.</summary>
    public IReadOnlyList<string> CheckDisks(string name, VmConfig config, DomainDescription domain)
    {
        var problems = new List<string>();
        var journal = new JournalStore(paths.JournalFile(name)).Load();
        foreach (var disk in config.Disks)
        {
            try
            {
                var image = DiskRules.ImageOf(domain, config, disk);
                try
                {
                    new QemuImg(tools).Info(image, disk.BaseFormat, shared: true);
                }
                catch (ToolException e) when (e.ExitCode is not null)
                {
                    problems.Add($"Disk \"{disk.Target}\" of \"{name}\": image \"{image}\" cannot be opened as {disk.BaseFormat.Name()} ({e.Message}); if it is {(disk.BaseFormat == ImageFormat.Qcow2 ? "raw" : "qcow2")}, set \"base-format\" for disk \"{disk.Target}\" in the config.");
                }

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
