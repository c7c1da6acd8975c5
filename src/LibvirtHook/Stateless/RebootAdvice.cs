using LibvirtHook.Config;
using LibvirtHook.Domain;

namespace LibvirtHook.Stateless;

/// <summary>
/// What a guest's own reboot does to a stateless session, said the same way by prepare's log line,
/// <c>validate</c> and <c>status</c>. A warning only: the VM still starts.
/// </summary>
internal static class RebootAdvice
{
    /// <returns>Null when a reboot by the guest does what a stateless VM's admin expects.</returns>
    public static string? Warning(string name, DomainDescription domain, VmConfig config)
    {
        if (config.Disks.Count == 0)
            return null;
        if (domain.RebootIsColdBoot)
            return null;
        return $"\"{name}\" has stateless disks but <on_reboot>{domain.OnReboot}</on_reboot>: when the guest reboots itself it keeps its session (the overlay is only discarded when the VM stops); "
            + "to make every reboot a cold boot from the base, set <on_reboot>destroy</on_reboot> (virsh edit, or libvirt-hook enable --cold-reboot) with \"shutdown\" in restart.on.";
    }
}
