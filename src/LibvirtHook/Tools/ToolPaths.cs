namespace LibvirtHook.Tools;

/// <summary>The external programs the hook runs. Bare names are looked up on PATH, which libvirt sets.</summary>
public sealed record ToolPaths
{
    public static ToolPaths Default { get; } = new() { QemuImg = "qemu-img", Virsh = "virsh" };

    public required string QemuImg { get; init; }

    public required string Virsh { get; init; }
}
