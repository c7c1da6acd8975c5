using LibvirtHook.Tests.Support;

namespace LibvirtHook.Tests.Stateless;

public sealed class RebootAdviceSpecs : IDisposable
{
    private readonly HookSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public void Prepare_of_a_stateless_vm_whose_reboot_keeps_the_session_warns_once_and_still_starts()
    {
        // Arrange
        _sandbox.WriteConfig("kiosk", """{"disks": [{"target": "vda"}]}""");
        var xml = HookSandbox.DomainXml("kiosk", ("vda", _sandbox.CreateImage("a.qcow2"))).Replace("<on_reboot>destroy</on_reboot>", "<on_reboot>restart</on_reboot>");

        // Act
        var (code, stderr) = _sandbox.Run("kiosk", "prepare", xml);
        _sandbox.Run("kiosk", "release", xml);

        // Assert
        code.Should().Be(0, stderr);
        File.ReadAllLines(_sandbox.Paths.LogFile).Should().ContainSingle(l => l.Contains("op=prepare warning=\"\\\"kiosk\\\" has stateless disks but <on_reboot>restart</on_reboot>"));
    }

    [Theory]
    [InlineData("""{"disks": [{"target": "vda"}]}""", "destroy")]
    [InlineData("""{"restart": {}}""", "restart")]
    public void Prepare_says_nothing_when_reboots_are_cold_or_no_disk_is_stateless(string config, string onReboot)
    {
        // Arrange
        _sandbox.WriteConfig("kiosk", config);
        var xml = HookSandbox.DomainXml("kiosk", ("vda", _sandbox.CreateImage("a.qcow2"))).Replace("<on_reboot>destroy</on_reboot>", $"<on_reboot>{onReboot}</on_reboot>");

        // Act
        var (code, stderr) = _sandbox.Run("kiosk", "prepare", xml);
        _sandbox.Run("kiosk", "release", xml);

        // Assert
        code.Should().Be(0, stderr);
        File.ReadAllText(_sandbox.Paths.LogFile).Should().NotContain("warning=");
    }
}
