namespace LibvirtHook.Tools;

/// <summary>The external programs the hook runs. Bare names are looked up on PATH, which libvirt sets.</summary>
internal sealed record ToolPaths
{
    public static ToolPaths Default { get; } = new()
    {
        QemuImg = "qemu-img",
        Virsh = "virsh",
        Systemctl = "systemctl",
        LibvirtUri = "qemu:///system",
    };

    public required string QemuImg { get; init; }

    public required string Virsh { get; init; }

    public required string Systemctl { get; init; }

    /// <summary>The daemon the hook belongs to; the restart worker talks to it.</summary>
    public required string LibvirtUri { get; init; }
}
