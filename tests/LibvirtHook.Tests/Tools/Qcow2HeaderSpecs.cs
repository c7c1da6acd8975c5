using LibvirtHook.Tests.Support;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Tools;

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

    [Fact]
    public void The_full_read_of_an_overlays_header_names_its_backing_file_and_format_and_agrees_on_the_size()
    {
        // Arrange: an overlay as prepare makes it, on a raw base.
        _sandbox.CreateImage("base.raw", "raw");
        var overlay = _sandbox.Image("overlay.qcow2");
        ProcessRunner.Run("qemu-img", ["create", "-q", "-f", "qcow2", "-u", "-F", "raw", "-b", "base.raw", overlay, "2M"]);
        using var file = LibvirtHook.Platform.OpenedFile.Open(overlay, followSymlinks: false)!;

        // Act
        var (header, problem) = Qcow2Header.Read(file);

        // Assert
        problem.Should().BeNull();
        header!.BackingFile.Should().Be("base.raw");
        header.BackingFormat.Should().Be("raw");
        header.ExternalDataFile.Should().BeNull();
        header.VirtualBytes.Should().Be(2L * 1024 * 1024).And.Be(Qcow2Header.VirtualSize(file));
    }

    [Fact]
    public void A_file_that_is_not_qcow2_is_refused_with_the_reason()
    {
        var raw = _sandbox.CreateImage("a.raw", "raw");
        using var file = LibvirtHook.Platform.OpenedFile.Open(raw, followSymlinks: false)!;

        var (header, problem) = Qcow2Header.Read(file);

        header.Should().BeNull();
        problem.Should().Be("it does not start with qcow2's magic bytes");
    }
}
