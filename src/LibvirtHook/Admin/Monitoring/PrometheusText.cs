using System.Globalization;
using System.Text;
using LibvirtHook.Admin.Inventory;

namespace LibvirtHook.Admin.Monitoring;

/// <summary>
/// <c>libvirt-hook metrics</c>: the facts check judges, in the Prometheus text exposition format
/// (0.0.4) for node_exporter's textfile collector. Every family has HELP and TYPE; label values
/// are escaped, so any domain name libvirt allows is safe.
/// </summary>
internal static class PrometheusText
{
    public static string Render(HostInventory health, TimeSpan took)
    {
        var text = new StringBuilder();
        var vms = health.Vms;
        var disks = vms.SelectMany(v => v.Disks.Select(d => (Vm: v, Disk: d))).ToList();

        Family(text, "libvirt_hook_libvirt_up", "Whether libvirtd answered virsh when these metrics were taken (1) or not (0).",
            [("", health.LibvirtError is null ? 1 : 0)]);
        Family(text, "libvirt_hook_managed_vms", "VMs with a config, or with a journal of overlays still to revert.", [("", vms.Count)]);
        Family(text, "libvirt_hook_vm_running", "Whether the domain is active (running or paused); absent when libvirtd did not answer.",
            vms.Where(v => v.Running is not null).Select(v => (Vm(v), (double)(v.Running == true ? 1 : 0))));
        Family(text, "libvirt_hook_vm_defined", "Whether libvirt knows the domain (0: a config or journal without a domain).",
            vms.Where(_ => health.LibvirtError is null).Select(v => (Vm(v), (double)(v.Defined ? 1 : 0))));
        Family(text, "libvirt_hook_vm_config_valid", "1 when the config parses and passes the ownership rules; 0 when prepare would refuse it.",
            vms.Select(v => (Vm(v), (double)(v.ConfigError is null ? 1 : 0))));
        Family(text, "libvirt_hook_vm_journal_valid", "0 when the VM's journal is damaged and its overlays need an admin.",
            vms.Select(v => (Vm(v), (double)(v.JournalError is null ? 1 : 0))));
        Family(text, "libvirt_hook_vm_held", "1 while an admin holds the VM down (libvirt-hook hold): no automatic restarts.",
            vms.Select(v => (Vm(v), (double)(v.Held ? 1 : 0))));
        Family(text, "libvirt_hook_vm_restarts_in_window", "Automatic restarts within the VM's restart window (what the crash-loop guard counts).",
            vms.Select(v => (Vm(v), (double)v.RestartsInWindow)));
        Family(text, "libvirt_hook_vm_restart_window_seconds", "The crash-loop guard's window (restart.window-seconds).",
            vms.Select(v => (Vm(v), (double)v.WindowSeconds)));
        Family(text, "libvirt_hook_vm_crash_loop_gave_up", "1 when the crash-loop guard gave up on the VM within its window and it has not been started since.",
            vms.Select(v => (Vm(v), (double)(v.GaveUpAt is null ? 0 : 1))));
        Family(text, "libvirt_hook_vm_hook_errors", $"Failed hook calls (outcome=error lines in hooks.log) in the last {(long)health.Since.TotalSeconds} s.",
            vms.Select(v => (Vm(v), (double)v.Errors.Count)));
        Family(text, "libvirt_hook_vm_last_hook_error_timestamp_seconds", "When the last failed hook call of the VM was logged (Unix time); absent without one in the period.",
            vms.Where(v => v.Errors.Count > 0).Select(v => (Vm(v), v.Errors[^1].Time.ToUnixTimeMilliseconds() / 1000.0)));
        Family(text, "libvirt_hook_disk_on_overlay", "1 while the stateless disk runs on an overlay (the VM runs, or was saved).",
            disks.Select(x => (Disk(x.Vm, x.Disk), (double)(x.Disk.OnOverlay ? 1 : 0))));
        Family(text, "libvirt_hook_overlay_bytes", "Size of the disk's overlay file: what the guest wrote since it started.",
            disks.Where(x => x.Disk.OverlayBytes is not null).Select(x => (Disk(x.Vm, x.Disk), (double)x.Disk.OverlayBytes!.Value)));
        Family(text, "libvirt_hook_disk_virtual_size_bytes", "The disk's size as the guest sees it.",
            disks.Where(x => x.Disk.VirtualBytes is not null).Select(x => (Disk(x.Vm, x.Disk), (double)x.Disk.VirtualBytes!.Value)));
        Family(text, "libvirt_hook_disk_stray_files", ".stateless-base or .stateless-new files beside the image without a journal: prepare refuses to start the VM.",
            disks.Select(x => (Disk(x.Vm, x.Disk), (double)x.Disk.Strays.Count)));
        Family(text, "libvirt_hook_disk_not_regular_files", "Names the hook expects to be plain files (the image, its .stateless-discard) that are something else, a FIFO say; check names them.",
            disks.Select(x => (Disk(x.Vm, x.Disk), (double)x.Disk.NotRegularFiles.Count)));
        Family(text, "libvirt_hook_disk_discard_leftover_bytes", "Space taken by a thrown-away overlay (.stateless-discard) still there a minute after its release; 0 when there is none.",
            disks.Select(x => (Disk(x.Vm, x.Disk), (double)(x.Disk.LeftoverDiscard?.AllocatedBytes ?? 0))));
        Family(text, "libvirt_hook_filesystem_avail_bytes", "Space available to root on the filesystem holding the disk's image and overlay.",
            disks.Where(x => x.Disk.FilesystemAvailableBytes is not null).Select(x => (Disk(x.Vm, x.Disk), (double)x.Disk.FilesystemAvailableBytes!.Value)));
        Family(text, "libvirt_hook_filesystem_size_bytes", "Size of the filesystem holding the disk's image and overlay.",
            disks.Where(x => x.Disk.FilesystemSizeBytes is not null).Select(x => (Disk(x.Vm, x.Disk), (double)x.Disk.FilesystemSizeBytes!.Value)));
        Family(text, "libvirt_hook_metrics_duration_seconds", "How long libvirt-hook metrics took to gather these.", [("", took.TotalSeconds)]);
        return text.ToString();
    }

    /// <summary>Label value escaping of the text format: backslash, double quote and line feed.</summary>
    public static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    private static string Vm(ManagedVm vm) => $"{{vm=\"{Escape(vm.Name)}\"}}";

    private static string Disk(ManagedVm vm, ManagedDisk disk) => $"{{vm=\"{Escape(vm.Name)}\",disk=\"{Escape(disk.Target)}\"}}";

    private static void Family(StringBuilder text, string name, string help, IEnumerable<(string Labels, double Value)> samples)
    {
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help.Replace("\\", "\\\\").Replace("\n", "\\n")}\n# TYPE {name} gauge\n");
        foreach (var (labels, value) in samples)
            text.Append(CultureInfo.InvariantCulture, $"{name}{labels} {value.ToString("R", CultureInfo.InvariantCulture)}\n");
    }
}
