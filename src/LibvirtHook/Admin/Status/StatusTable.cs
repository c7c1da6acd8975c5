using System.Globalization;
using System.Text;
using LibvirtHook.Domain;

namespace LibvirtHook.Admin.Status;

/// <summary>
/// The human view of <c>libvirt-hook status</c>: one block per VM. Names, paths, messages and log
/// lines are others' words and go through <see cref="UntrustedText.ForTerminal"/> (<see cref="T"/>).
/// </summary>
internal static class StatusTable
{
    public static string Render(IReadOnlyList<VmStatus> vms)
    {
        if (vms.Count == 0)
            return "No managed VMs: no config in the config directory.\n";

        var text = new StringBuilder();
        foreach (var vm in vms)
        {
            text.Append(CultureInfo.InvariantCulture, $"{T(vm.Name)}: {T(vm.State)}{(vm.StateReason is null ? "" : $" ({T(vm.StateReason)})")}{(vm.Held ? ", HELD (no automatic restarts)" : "")}\n");
            if (vm.ConfigError is not null)
                text.Append(CultureInfo.InvariantCulture, $"  config:   ERROR {T(vm.ConfigError)}\n");
            foreach (var disk in vm.Disks)
            {
                var now = disk.OnOverlay
                    ? $"on overlay ({Size(disk.OverlayBytes ?? 0)} written since start)"
                    : "on its base";
                var commit = disk.OneShotCommit ? ", one-shot-commit pending" : "";
                text.Append(CultureInfo.InvariantCulture, $"  disk {T(disk.Target),-5} {DiskStatus.Name(disk.Mode)}, {now}{commit}: {(disk.Image is null ? "(image unknown)" : T(disk.Image))}\n");
            }

            var restart = vm.Restart is null
                ? "never (no restart section)"
                : $"on {string.Join(",", vm.Restart.On.Select(r => r.Name()))}, delay {vm.Restart.DelaySeconds} s, {vm.RestartsInWindow} of at most {vm.Restart.MaxRestarts} restarts in the last {vm.Restart.WindowSeconds} s";
            text.Append(CultureInfo.InvariantCulture, $"  restart:  {restart}\n");
            // A log line in the log's own format, whose quoting already escapes every control character.
            text.Append(CultureInfo.InvariantCulture, $"  last:     {vm.LastAction ?? "(nothing in hooks.log)"}\n");
            foreach (var warning in vm.Warnings)
                text.Append(CultureInfo.InvariantCulture, $"  warning:  {T(warning)}\n");
        }

        return text.ToString();
    }

    private static string T(string text) => UntrustedText.ForTerminal(text);

    private static string Size(long bytes) => ByteSize.Format(bytes);
}
