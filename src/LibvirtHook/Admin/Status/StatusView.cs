using LibvirtHook.Admin.Inventory;
using LibvirtHook.Stateless;

namespace LibvirtHook.Admin.Status;

/// <summary><c>libvirt-hook status</c>'s view of the inventory, the shape its JSON has always had.</summary>
internal static class StatusView
{
    /// <summary>What status asks the inventory for: libvirt's states, every definition (for its warnings), the log's tail.</summary>
    public static InventoryRequest Request(IReadOnlyList<string> only, DateTimeOffset now) =>
        new() { Only = only, Now = now, States = true, AllDefinitions = true };

    public static IReadOnlyList<VmStatus> From(HostInventory inventory) =>
        [.. inventory.Vms.Select(vm => new VmStatus
        {
            Name = vm.Name,
            State = vm.State?.State ?? VmStatus.UnknownState,
            StateReason = vm.State?.Reason,
            ConfigError = vm.ConfigError,
            Disks = [.. vm.Disks.Select(disk => new DiskStatus
            {
                Target = disk.Target,
                Mode = disk.Mode,
                OneShotCommit = disk.OneShotCommit,
                Image = disk.Image,
                OnOverlay = disk.RecordedOnOverlay,
                OverlayBytes = disk.RecordedOnOverlay && disk.Image is not null ? disk.OverlayBytes ?? 0 : null,
            })],
            Restart = vm.Config?.Restart,
            RestartsInWindow = vm.RestartsInWindow,
            Held = vm.Held,
            LastAction = vm.LastLine?.Summary(),
            Warnings = vm.Config is { } config && vm.Definition is { } definition && RebootAdvice.Warning(vm.Name, definition, config) is { } warning ? [warning] : [],
        })];
}
