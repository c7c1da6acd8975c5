namespace LibvirtHook.Tools;

/// <summary>virsh against the system daemon. Domains are named by UUID: no quoting, no look-alikes.</summary>
public sealed class Virsh(ToolPaths tools)
{
    /// <summary>"shut off (shutdown)", "running (booted)", ...</summary>
    public string DomState(string domain) =>
        ProcessRunner.Run(tools.Virsh, ["-c", tools.LibvirtUri, "domstate", "--reason", "--domain", domain], TimeSpan.FromSeconds(30)).StandardOutput;

    public string DumpXml(string domain) =>
        ProcessRunner.Run(tools.Virsh, ["-c", tools.LibvirtUri, "dumpxml", "--domain", domain], TimeSpan.FromSeconds(30)).StandardOutput;

    public void Start(string domain) =>
        ProcessRunner.Run(tools.Virsh, ["-c", tools.LibvirtUri, "start", "--domain", domain], TimeSpan.FromMinutes(5));
}
