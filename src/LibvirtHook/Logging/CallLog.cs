using LibvirtHook.Stateless;

namespace LibvirtHook.Logging;

/// <summary>The log lines of one hook call (one VM, one op) before its last one.</summary>
internal sealed class CallLog(HookLog log, string vm, string op)
{
    public void Disk(DiskStep step) => log.Write(LogCatalog.DiskStepDone(vm, op, step));

    public void Warning(string? disk, string warning) => log.Write(LogCatalog.Warned(vm, op, disk, warning));
}
