using LibvirtHook.Config;
using LibvirtHook.Domain;
using LibvirtHook.Stateless;
using LibvirtHook.Tools;

namespace LibvirtHook.Admin.Onboarding;

/// <summary>
/// <c>libvirt-hook enable</c> and <c>disable</c>: making a VM stateless the way prepare wants it,
/// and back. Everything prepare would refuse is found before anything is written.
/// </summary>
internal sealed class Onboarder(HookPaths paths, ToolPaths tools)
{
    /// <returns>What it did and what happens at the next start and stop, one sentence a line.</returns>
    public IReadOnlyList<string> Enable(EnableRequest request)
    {
        var name = request.Name;
        var configPath = paths.ConfigFile(name);
        if (File.Exists(configPath) && !request.Force)
        {
            throw new RefusedException([
                $"\"{name}\" already has a config \"{configPath}\"; nothing was changed. To replace it, add --force (the old one is kept as \"{ConfigWriter.BackupPath(configPath)}\")."]);
        }

        ConfigWriter.CheckDirectory(paths.ConfigDirectory);
        var virsh = new Virsh(tools);
        string xml;
        try
        {
            xml = virsh.DumpInactiveXml(name, securityInfo: request.ColdReboot || request.RawBase);
        }
        catch (ToolException e)
        {
            throw new RefusedException([$"Cannot read domain \"{name}\" from libvirt: {e.Message}"]);
        }

        var domain = DomainXml.Parse(xml);
        var (targets, skipped) = ChooseDisks(domain, request.Disks, request.RawBase);
        // The domain XML says how the image was used so far: raw there means a raw base, never a guess from its bytes.
        var rawBases = request.RawBase ? targets.Where(t => domain.FindDisk(t)?.DriverType == "raw").ToList() : [];
        // A cold reboot is a power-off: without a restart the guest would stay off after its first reboot.
        var restart = request.Restart || request.ColdReboot ? new RestartPolicy() : null;
        var content = ConfigText.Render(targets, restart, DateTimeOffset.Now, rawBases);
        var config = ConfigParser.Parse(content, configPath);

        var edited = rawBases.Count > 0 ? DriverTypeEditor.SetQcow2(xml, rawBases) : xml;
        var problems = new ConfigValidator(paths, tools).CheckDisks(name, config, DomainXml.Parse(edited)).ToList();
        if (targets.Count == 0 && restart is null)
        {
            problems.Add($"Domain \"{name}\" has no file-backed qcow2 disk to make stateless ({Describe(skipped)}); name one with --disk TARGET, take raw ones over their raw image with --raw-base, or add --restart for automatic restarts only.");
        }

        string? coldXml = null;
        if (request.ColdReboot || rawBases.Count > 0)
        {
            if (!virsh.IsPersistent(name))
            {
                problems.Add(request.ColdReboot
                    ? $"Domain \"{name}\" is transient (never defined), so it has no persistent definition to set <on_reboot> in; define it first (virsh define), or leave out --cold-reboot."
                    : $"Domain \"{name}\" is transient (never defined), so it has no persistent definition to set <driver type='qcow2'/> in; define it first (virsh define).");
            }
            else if (request.ColdReboot)
            {
                coldXml = OnRebootEditor.SetDestroy(edited);
            }
        }

        var definition = coldXml ?? (rawBases.Count > 0 ? edited : null);

        if (problems.Count > 0)
            throw new RefusedException(problems);

        var lines = new List<string>();
        if (definition is not null)
            Define(virsh, definition);
        if (rawBases.Count > 0)
        {
            lines.Add($"Set <driver type='qcow2'/> for {string.Join(", ", rawBases)} in the persistent definition of \"{name}\": from its next start each runs on a qcow2 overlay over its raw image, which the config names as \"base-format\": \"raw\".");
        }

        if (coldXml is not null)
        {
            lines.Add($"Set <on_reboot>destroy</on_reboot> in the persistent definition of \"{name}\" (it was {domain.OnReboot}): a reboot by the guest now ends its session, and the hook starts it again from the base.");
        }
        else if (request.ColdReboot)
        {
            lines.Add($"\"{name}\" already has <on_reboot>destroy</on_reboot>: a reboot by the guest ends its session.");
        }

        var backup = ConfigWriter.Write(configPath, content);
        lines.Add($"Wrote \"{configPath}\" (root, 0644){(backup is null ? "" : $"; the old one is \"{backup}\"")}.");
        if (skipped.Count > 0)
            lines.Add($"Left alone: {Describe(skipped)}.");
        lines.AddRange(WhatHappensNext(name, domain, targets, restart, coldXml is not null, virsh));
        return lines;
    }

    /// <returns>What it did and what still happens to the VM, one sentence a line.</returns>
    public IReadOnlyList<string> Disable(string name)
    {
        var configPath = paths.ConfigFile(name);
        if (!File.Exists(configPath))
            throw new RefusedException([$"\"{name}\" is not managed: there is no \"{configPath}\"."]);

        VmConfig? config = null;
        try
        {
            config = ConfigFile.Load(configPath);
        }
        catch (ConfigException)
        {
            // A broken config is removed all the same: that is often why the admin disables.
        }

        var backup = ConfigWriter.Remove(configPath);
        var lines = new List<string> { $"Removed \"{configPath}\" (kept as \"{backup}\"): the hook no longer manages \"{name}\" from its next start." };
        var pending = TryLoadJournal(name)?.Disks.Select(d => d.Target).ToList() ?? [];
        if (pending.Count > 0)
        {
            lines.Add($"It still runs on overlays ({string.Join(", ", pending)}): they are discarded at its next stop as before (the hook's journal says so), so this session is not kept; after that it runs on its images.");
        }

        if (config?.Restart is not null)
            lines.Add("It is no longer started again automatically.");
        try
        {
            if (DomainXml.Parse(new Virsh(tools).DumpInactiveXml(name)).RebootIsColdBoot)
            {
                lines.Add($"Its <on_reboot> is still destroy: a reboot by the guest now leaves it off. To let it reboot normally: virsh edit, and set <on_reboot>restart</on_reboot>.");
            }
        }
        catch (LibvirtHookException)
        {
            // No domain (any more): nothing to say about its reboots.
        }

        return lines;
    }

    private static (List<string> Targets, List<(string Target, string Why)> Skipped) ChooseDisks(DomainDescription domain, IReadOnlyList<string> requested, bool rawBase)
    {
        if (requested.Count > 0)
            return ([.. requested.Distinct()], []);

        var targets = new List<string>();
        var skipped = new List<(string, string)>();
        foreach (var disk in domain.Disks)
        {
            if (DiskRules.RefusalOf(disk, rawBase) is { } refusal)
                skipped.Add((disk.Target, DiskRules.Briefly(refusal, disk)));
            else
                targets.Add(disk.Target);
        }

        return (targets, skipped);
    }

    private IEnumerable<string> WhatHappensNext(string name, DomainDescription domain, IReadOnlyList<string> targets, RestartPolicy? restart, bool coldRebootSet, Virsh virsh)
    {
        DomainState? state = null;
        try
        {
            state = virsh.DomState(name);
        }
        catch (ToolException)
        {
        }

        var journal = TryLoadJournal(name);
        if (state?.IsActive == true)
        {
            yield return journal is { Disks.Count: > 0 }
                ? $"It runs now, on overlays ({string.Join(", ", journal.Disks.Select(d => d.Target))}): they are discarded at its next stop as before; the new config applies from its next start."
                : $"It runs now, on its images: what it writes until it stops stays in them; the new config{(coldRebootSet ? " and <on_reboot>" : "")} apply from its next start.";
        }

        if (targets.Count > 0)
        {
            var images = targets.Select(t => $"{t} ({domain.FindDisk(t)?.SourceFile})");
            yield return $"Next start: {string.Join(", ", images)} {(targets.Count == 1 ? "runs on a fresh overlay" : "run on fresh overlays")}; the image is never written to.";
            yield return "Next stop: the overlay is discarded, so every start begins from the same image (libvirt-hook commit-once keeps one session).";
        }
        else
        {
            yield return "No stateless disk: the hook only restarts it.";
        }

        if (restart is not null)
        {
            var after = string.Join(" or ", restart.On.Select(r => r switch
            {
                ShutoffReason.Shutdown => "a power-off by the guest (or its reboot, with on_reboot destroy)",
                ShutoffReason.Crashed => "a crash",
                ShutoffReason.Destroyed => "virsh destroy",
                ShutoffReason.Failed => "a failed start",
                _ => $"a stop for reason {r.Name()}",
            }));
            var keepDown = restart.On.Contains(ShutoffReason.Destroyed) ? "libvirt-hook hold" : "virsh destroy or libvirt-hook hold";
            yield return $"After {after}, it is started again, at most {restart.MaxRestarts} times in {restart.WindowSeconds} s; {keepDown} keeps it down.";
        }

        if (!coldRebootSet && targets.Count > 0 && RebootAdvice.Warning(name, domain, new VmConfig { Source = "", Disks = targets.Select(t => new DiskConfig { Target = t }).ToList(), Restart = restart }) is { } warning)
            yield return $"Warning: {warning}";
    }

    private void Define(Virsh virsh, string xml)
    {
        // It may hold passwords (--security-info): readable by root only, and gone afterwards.
        var file = Path.Combine(Path.GetTempPath(), $"libvirt-hook-define-{Environment.ProcessId}-{Guid.NewGuid():N}.xml");
        try
        {
            using (var stream = new FileStream(file, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = (UnixFileMode)0b110_000_000 }))
                stream.Write(System.Text.Encoding.UTF8.GetBytes(xml));
            virsh.Define(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private Journal? TryLoadJournal(string name) => new JournalStore(paths.JournalFile(name)).TryLoad().Journal;

    private static string Describe(List<(string Target, string Why)> skipped) =>
        skipped.Count == 0 ? "it has no disks" : string.Join(", ", skipped.Select(s => $"{s.Target} ({s.Why})"));
}
