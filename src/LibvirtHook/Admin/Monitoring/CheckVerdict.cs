using System.Globalization;
using LibvirtHook.Admin.Inventory;

namespace LibvirtHook.Admin.Monitoring;

/// <summary>
/// <c>libvirt-hook check</c>'s decisions, free of I/O: what is CRITICAL (the hook failed, or a VM
/// is left off or cannot start), WARNING (it works, but needs an eye) or UNKNOWN (it cannot tell).
/// </summary>
internal static class CheckVerdict
{
    public static CheckResult Evaluate(HostInventory health, CheckThresholds thresholds)
    {
        var findings = new List<CheckFinding>();
        if (health.LibvirtError is not null)
            findings.Add(new(CheckState.Unknown, $"libvirtd does not answer, so domain states are unknown: {health.LibvirtError}"));
        foreach (var name in health.Unmanaged)
            findings.Add(new(CheckState.Unknown, $"\"{name}\" is not managed: it has no config and no journal."));

        foreach (var vm in health.Vms)
        {
            if (vm.ConfigError is not null)
                findings.Add(new(CheckState.Critical, vm.ConfigError));
            if (vm.JournalError is not null)
                findings.Add(new(CheckState.Critical, vm.JournalError));
            if (vm.GaveUpAt is { } gaveUp)
                findings.Add(new(CheckState.Critical, $"\"{vm.Name}\": the crash-loop guard gave up at {Time(gaveUp)} after {vm.RestartsInWindow} restarts in {vm.WindowSeconds} s and left it off; start it by hand once it is fixed."));
            if (vm.Errors.Count > 0)
            {
                var last = vm.Errors[^1];
                findings.Add(new(CheckState.Critical, $"\"{vm.Name}\": {vm.Errors.Count} failed hook call{(vm.Errors.Count == 1 ? "" : "s")} in hooks.log in the last {Span(health.Since)}, the last at {Time(last.Time)} (op={last.Op}): {last[Logging.LogCatalog.Keys.Message] ?? last.Summary()}"));
            }

            foreach (var disk in vm.Disks)
            {
                foreach (var stray in disk.Strays)
                    findings.Add(new(CheckState.Critical, $"\"{vm.Name}\" disk {disk.Target}: {stray.Problem}"));
                foreach (var odd in disk.NotRegularFiles)
                    findings.Add(new(CheckState.Critical, $"\"{vm.Name}\" disk {disk.Target}: {odd}"));
                if (disk.LeftoverDiscard is { } leftover)
                {
                    findings.Add(new(CheckState.Warning,
                        $"\"{vm.Name}\" disk {disk.Target}: \"{leftover.Path}\" ({Bytes(leftover.AllocatedBytes)}) is an overlay the hook threw away at {Time(leftover.Since)} but did not remove (hooks.log op=discard says why); it holds nothing of value: remove it to free the space."));
                }

                if (disk is { OnOverlay: true, OverlayBytes: { } used, VirtualBytes: > 0 and var size } && used * 100 > size * thresholds.OverlayWarnPercent)
                {
                    findings.Add(new(CheckState.Warning,
                        $"\"{vm.Name}\" disk {disk.Target}: its overlay is {used * 100 / size}% of the disk's virtual size ({Bytes(used)} of {Bytes(size)}, --overlay-warn {thresholds.OverlayWarnPercent}%); a stop discards it."));
                }
            }

            if (vm.Held)
                findings.Add(new(CheckState.Warning, $"\"{vm.Name}\" is held: it is not restarted automatically until libvirt-hook unhold."));
        }

        // One line per filesystem, however many stateless images it holds.
        foreach (var group in health.Vms.SelectMany(v => v.Disks.Select(d => (Vm: v.Name, Disk: d)))
                     .Where(x => x.Disk is { Image: not null, FilesystemAvailableBytes: not null, FilesystemSizeBytes: > 0 })
                     .GroupBy(x => Path.GetDirectoryName(x.Disk.Image)!))
        {
            var (available, total) = (group.First().Disk.FilesystemAvailableBytes!.Value, group.First().Disk.FilesystemSizeBytes!.Value);
            if (available * 100 < total * thresholds.FreeWarnPercent)
            {
                findings.Add(new(CheckState.Warning,
                    $"\"{group.Key}\" (images of {string.Join(", ", group.Select(x => $"\"{x.Vm}\"").Distinct())}) is on a filesystem with {available * 100 / total}% free ({Bytes(available)} of {Bytes(total)}, --free-warn {thresholds.FreeWarnPercent}%); overlays grow there until their VMs stop."));
            }
        }

        var state = findings.Select(f => f.State).DefaultIfEmpty(CheckState.Ok).MaxBy(Rank);
        findings = [.. findings.OrderByDescending(f => Rank(f.State))];
        var onOverlays = health.Vms.Count(v => v.Disks.Any(d => d.OnOverlay));
        var overlayBytes = health.Vms.Sum(v => v.Disks.Sum(d => d.OverlayBytes ?? 0));
        var summary = findings.Count == 0
            ? $"{health.Vms.Count} managed VM{(health.Vms.Count == 1 ? "" : "s")}, {onOverlays} on overlays ({Bytes(overlayBytes)}), no problem"
            : findings[0].Text + (findings.Count > 1 ? $" (and {findings.Count - 1} more below)" : "");
        return new CheckResult
        {
            State = state,
            Findings = findings,
            Summary = summary,
            PerformanceData = string.Create(CultureInfo.InvariantCulture,
                $"managed_vms={health.Vms.Count};;;0 vms_on_overlays={onOverlays};;;0 overlay_bytes={overlayBytes}B;;;0 restarts_in_window={health.Vms.Sum(v => v.RestartsInWindow)};;;0"),
        };
    }

    /// <summary>The usual plugin ranking: CRITICAL over WARNING over UNKNOWN over OK.</summary>
    private static int Rank(CheckState state) => state switch
    {
        CheckState.Critical => 3,
        CheckState.Warning => 2,
        CheckState.Unknown => 1,
        _ => 0,
    };

    private static string Time(DateTimeOffset time) => time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Span(TimeSpan span) => span.TotalHours >= 1 && span.TotalHours % 1 == 0
        ? $"{span.TotalHours:0} h"
        : span.TotalMinutes >= 1 && span.TotalMinutes % 1 == 0 ? $"{span.TotalMinutes:0} min" : $"{span.TotalSeconds:0} s";

    private static string Bytes(long bytes) => ByteSize.Format(bytes);
}
