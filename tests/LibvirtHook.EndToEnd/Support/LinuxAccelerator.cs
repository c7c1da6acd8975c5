namespace LibvirtHook.EndToEnd.Support;

/// <summary>How the Linux guest runs here: KVM when a probe boot with it worked as libvirt's QEMU user, TCG otherwise, and why.</summary>
public sealed record LinuxAccelerator(bool Kvm, string Why)
{
    /// <summary>The domain type: <c>kvm</c> or <c>qemu</c> (TCG).</summary>
    public string DomainType => Kvm ? "kvm" : "qemu";

    public override string ToString() => (Kvm ? "KVM" : "TCG") + " (" + Why + ")";
}
