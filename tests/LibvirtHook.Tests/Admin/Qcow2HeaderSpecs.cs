using LibvirtHook.Tests.Support;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Admin;

public sealed class Qcow2HeaderSpecs : IDisposable
{
    private readonly HookSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public void The_virtual_size_of_a_qcow2_image_made_by_qemu_img_is_read_from_its_header()
    {
        var image = _sandbox.Image("big.qcow2");
        ProcessRunner.Run("qemu-img", ["create", "-q", "-f", "qcow2", image, "3G"]);

        Qcow2Header.VirtualSize(image).Should().Be(3L * 1024 * 1024 * 1024);
    }

    [Fact]
    public void A_raw_image_or_a_missing_file_has_no_qcow2_header()
    {
        Qcow2Header.VirtualSize(_sandbox.CreateImage("a.raw", "raw")).Should().BeNull();
        Qcow2Header.VirtualSize(_sandbox.Image("missing.qcow2")).Should().BeNull();
    }
}
