using LibvirtHook.Domain;

namespace LibvirtHook.Tools;

/// <summary>virsh against the system daemon. Domains are named by UUID where the caller has it: no quoting, no look-alikes.</summary>
internal sealed class Virsh(ToolPaths tools)
{
    // A libvirtd that does not answer a query within this long is not going to.
    public static readonly TimeSpan QueryLimit = TimeSpan.FromSeconds(30);

    // A start runs the prepare hook (qemu-img) and starts QEMU; libvirt gives up on its own job locks after 30 s.
    public static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(5);

    public DomainState DomState(string domain) =>
        DomainState.Parse(ProcessRunner.Run(tools.Virsh, ["-c", tools.LibvirtUri, "domstate", "--reason", "--domain", domain], QueryLimit).StandardOutput);

    public string DumpXml(string domain) =>
        ProcessRunner.Run(tools.Virsh, ["-c", tools.LibvirtUri, "dumpxml", "--domain", domain], QueryLimit).StandardOutput;

    public void Start(string domain) =>
        ProcessRunner.Run(tools.Virsh, ["-c", tools.LibvirtUri, "start", "--domain", domain], StartLimit);
}
