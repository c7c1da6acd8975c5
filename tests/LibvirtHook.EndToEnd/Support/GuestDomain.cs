using System.Security;

namespace LibvirtHook.EndToEnd.Support;

/// <summary>
/// The domain XML both test guests share: one vCPU, qcow2 disks, the serial console appended to
/// a file the specs read, no video or balloon, and every guest-initiated stop a destroy (so a
/// reboot is a cold boot, which is what the hook's restarts are for).
/// </summary>
internal static class GuestDomain
{
    /// <param name="os">The &lt;os&gt; element's content: how the guest boots.</param>
    public static string Xml(string name, string type, int memoryMiB, string os, string bus, string serialLog, IEnumerable<(string Target, string Path)> disks) =>
        $"""
        <domain type='{type}'>
          <name>{SecurityElement.Escape(name)}</name>
          <memory unit='MiB'>{memoryMiB}</memory>
          <vcpu>1</vcpu>
          <os>{os}</os>
          <features><acpi/></features>
          <on_poweroff>destroy</on_poweroff>
          <on_reboot>destroy</on_reboot>
          <on_crash>destroy</on_crash>
          <devices>
            <emulator>/usr/bin/qemu-system-x86_64</emulator>
        {string.Concat(disks.Select(d => $"""
            <disk type='file' device='disk'>
              <driver name='qemu' type='qcow2'/>
              <source file='{SecurityElement.Escape(d.Path)}'/>
              <target dev='{d.Target}' bus='{bus}'/>
            </disk>

        """))}
            <serial type='file'>
              <source path='{SecurityElement.Escape(serialLog)}' append='on'/>
              <target port='0'/>
            </serial>
            <video><model type='none'/></video>
            <memballoon model='none'/>
          </devices>
        </domain>
        """;
}
