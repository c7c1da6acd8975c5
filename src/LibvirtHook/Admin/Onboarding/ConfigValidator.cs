using LibvirtHook.Admin.Inventory;
using LibvirtHook.Config;
using LibvirtHook.Domain;
using LibvirtHook.Platform;
using LibvirtHook.Stateless;
using LibvirtHook.Tools;

namespace LibvirtHook.Admin.Onboarding;

/// <summary>
/// <c>libvirt-hook validate</c> and <c>enable</c>: what prepare would refuse, found before the VM
/// is started, against the persistent domain XML (the one its next start uses). One sentence per problem.
/// </summary>
internal sealed class ConfigValidator(HookPaths paths, ToolPaths tools)
{
    /// <summary>What validate asks the inventory for: every VM's persistent definition (the one its next start uses).</summary>
    public static InventoryRequest Request(IReadOnlyList<string> only, DateTimeOffset now) => new() { Only = only, Now = now, AllDefinitions = true };

    /// <summary>The VMs validate checks: those named, or every VM with a config file (loadable or not).</summary>
    public static IReadOnlyList<string> Names(HostInventory inventory, string? only) =>
        only is not null ? [only] : [.. inventory.Vms.Where(v => v.HasConfigFile).Select(v => v.Name)];

    /// <param name="candidate">A config file to check instead of the VM's own (validate --config).</param>
    public Findings Validate(HostInventory inventory, string name, string? candidate = null)
    {
        var vm = inventory.Vms.FirstOrDefault(v => v.Name == name);
        var configPath = candidate ?? paths.ConfigFile(name);
        VmConfig? config;
        try
        {
            config = candidate is not null ? ConfigFile.LoadCandidate(candidate)
                : vm?.ConfigError is { } error ? throw new ConfigException(error)
                : vm?.Config;
        }
        catch (ConfigException e)
        {
            return Findings.Problem(e.Message);
        }

        if (config is null)
            return Findings.Problem($"There is no config \"{configPath}\"; the VM is not managed.");

        var (domain, unreadable) = Definition(inventory, vm, name);
        if (domain is null)
            return Findings.Problem($"Cannot read domain \"{name}\" from libvirt: {unreadable}");

        return new Findings
        {
            Problems = CheckDisks(name, config, domain),
            Warnings = RebootAdvice.Warning(name, domain, config) is { } warning ? [warning] : [],
        };
    }

    private (DomainDescription? Domain, string? Why) Definition(HostInventory inventory, ManagedVm? vm, string name)
    {
        if (vm?.Definition is { } known)
            return (known, null);
        if (vm is not null && inventory.LibvirtError is { } error)
            return (null, error);
        if (vm is { Defined: false })
            return (null, $"libvirt knows no domain \"{name}\" (virsh list --all).");
        // Not in the inventory (a candidate config for a VM not managed yet), or its definition did not parse.
        try
        {
            return (DomainXml.Parse(new Virsh(tools).DumpInactiveXml(name)), null);
        }
        catch (LibvirtHookException e)
        {
            return (null, e.Message);
        }
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
                catch (ToolException e) when (e.Reason == ToolFailure.ExitedNonZero)
                {
                    problems.Add($"Disk \"{disk.Target}\" of \"{name}\": image \"{image}\" cannot be opened as {disk.BaseFormat.Name()} ({e.Message}); if it is {(disk.BaseFormat == ImageFormat.Qcow2 ? "raw" : "qcow2")}, set \"base-format\" for disk \"{disk.Target}\" in the config.");
                }

                if (journal?.Disks.Any(d => d.Target == disk.Target) != true)
                {
                    foreach (var stray in StrayFile.Find(image, paths.JournalFile(name), path => FileSystem.Stat(path).Exists))
                        problems.Add($"Disk \"{disk.Target}\" of \"{name}\": {stray.Problem}");
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
