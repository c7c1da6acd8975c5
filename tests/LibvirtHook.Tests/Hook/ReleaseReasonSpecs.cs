using LibvirtHook.Tests.Support;

namespace LibvirtHook.Tests.Hook;

/// <summary>
/// Issue 15: before libvirt 10.5 the shut-off reason comes from the domain log, which is QEMU's
/// stderr too. A QEMU (or a guest that escaped into it) that appends "shutting down, reason=saved"
/// must not keep its overlay (and so its writes) past the stop.
/// </summary>
public sealed class ReleaseReasonSpecs : IDisposable
{
    private readonly HookSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    /// <summary>VM "vm" prepared on its overlay, whose guest then wrote 0x99 over the base's 0xB0.</summary>
    private (string Image, string Xml) RunningVmThatWrote()
    {
        var image = _sandbox.CreateImage("vm.qcow2");
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        var xml = HookSandbox.DomainXml("vm", ("vda", image));
        _sandbox.Run("vm", "prepare", xml).ExitCode.Should().Be(0);
        HookSandbox.WritePattern(image, 0x99);
        return (image, xml);
    }

    private void DomainLogEndsWith(string reason) => File.WriteAllText(_sandbox.Paths.DomainLogFile("vm"),
        "2026-12-01 10:00:00.000+0000: shutting down, reason=destroyed\n"
        + "qemu-system-x86_64: terminating on signal 15 from pid 812 (/usr/sbin/libvirtd)\n"
        + $"2026-12-01 10:00:00.001+0000: shutting down, reason={reason}\n");

    [Fact]
    public void A_saved_that_only_the_domain_log_claims_without_a_managed_save_image_discards_the_overlay()
    {
        // Arrange
        var (image, xml) = RunningVmThatWrote();
        DomainLogEndsWith("saved");

        // Act
        var (code, stderr) = _sandbox.Run("vm", "release", xml, extra: "-");

        // Assert
        code.Should().Be(0, stderr);
        HookSandbox.ReadPattern(image).Should().Be(0xB0, "the base is back; the guest's writes are gone");
        File.Exists(image + ".stateless-base").Should().BeFalse();
        var log = File.ReadAllText(_sandbox.Paths.LogFile);
        log.Should().Contain("action=released").And.NotContain("kept-for-restore");
        log.Should().Contain("warning=\"The domain log says the VM was saved, but libvirt has no managed-save image");
    }

    [Fact]
    public void A_saved_passed_by_libvirt_as_releases_argument_is_believed_as_it_is()
    {
        // Arrange
        var (image, xml) = RunningVmThatWrote();

        // Act
        var (code, stderr) = _sandbox.Run("vm", "release", xml, extra: "saved");

        // Assert
        code.Should().Be(0, stderr);
        HookSandbox.ReadPattern(image).Should().Be(0x99, "libvirt 10.5+ says so itself: the overlay waits for the restore");
        File.ReadAllText(_sandbox.Paths.LogFile).Should().Contain("action=kept-for-restore shutoff-reason=saved reason-from=argument");
    }
}
