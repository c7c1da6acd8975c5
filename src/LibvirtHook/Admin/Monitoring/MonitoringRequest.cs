using LibvirtHook.Admin.Inventory;

namespace LibvirtHook.Admin.Monitoring;

/// <summary>What check and metrics ask the inventory for: which VMs run, failed calls within a period; no per-VM state or definition.</summary>
internal static class MonitoringRequest
{
    public static InventoryRequest For(IReadOnlyList<string> only, TimeSpan since, DateTimeOffset now) =>
        new() { Only = only, Now = now, ErrorsSince = since };
}
