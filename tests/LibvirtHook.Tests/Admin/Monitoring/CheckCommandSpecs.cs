using LibvirtHook.Admin;
using LibvirtHook.Admin.Inventory;
using LibvirtHook.Admin.Monitoring;
using LibvirtHook.Tests.Support;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Admin.Monitoring;

public sealed class CheckCommandSpecs : IDisposable
{
    private readonly HookSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private (int Code, string Output, string Error) Run(string virsh, params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = new AdminCli(_sandbox.Paths, ToolPaths.Default with { Virsh = virsh }, output, error).Run(args);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("--since", "1w")]
    [InlineData("--overlay-warn", "120")]
    public void A_usage_error_of_check_exits_3_so_monitoring_reads_unknown_not_critical(params string[] args)
    {
        var (code, _, error) = Run("/bin/true", ["check", .. args]);

        code.Should().Be((int)CheckState.Unknown);
        error.Should().Contain("Try: libvirt-hook --help");
    }

    [Fact]
    public void Check_is_unknown_when_virsh_fails_and_names_a_vm_that_is_not_managed()
    {
        var (code, output, _) = Run("/bin/false", "check", "nobody");

        code.Should().Be((int)CheckState.Unknown);
        output.Should().StartWith("LIBVIRT-HOOK UNKNOWN - libvirtd does not answer").And.Contain("UNKNOWN: \"nobody\" is not managed: it has no config and no journal.");
    }

    [Fact]
    public void A_config_that_does_not_parse_is_critical_and_metrics_report_it_invalid()
    {
        _sandbox.WriteConfig("kiosk", """{"disks": [{"targt": "vda"}]}""");

        var check = Run("/bin/true", "check");
        var metrics = Run("/bin/true", "metrics");

        check.Code.Should().Be((int)CheckState.Critical);
        check.Output.Should().Contain("did you mean \"target\"");
        metrics.Code.Should().Be(0);
        metrics.Output.Should().Contain("libvirt_hook_vm_config_valid{vm=\"kiosk\"} 0\n");
    }

    [Fact]
    public void A_discard_file_older_than_a_minute_is_reported_with_its_size_and_a_young_one_is_not()
    {
        // Arrange: a running VM (its journal names the image) and a thrown-away overlay beside it.
        var image = _sandbox.CreateImage("kiosk.qcow2");
        _sandbox.WriteConfig("kiosk", """{"disks": [{"target": "vda"}]}""");
        _sandbox.Run("kiosk", "prepare", HookSandbox.DomainXml("kiosk", ("vda", image))).ExitCode.Should().Be(0);
        File.WriteAllBytes(image + ".stateless-discard", new byte[1024 * 1024]);
        var reader = new InventoryReader(_sandbox.Paths, ToolPaths.Default with { Virsh = "/bin/true" });

        // Act
        var now = reader.Take(MonitoringRequest.For([], TimeSpan.FromHours(1), DateTimeOffset.Now)).Vms.Single().Disks.Single();
        var later = reader.Take(MonitoringRequest.For([], TimeSpan.FromHours(1), DateTimeOffset.Now.AddMinutes(2))).Vms.Single().Disks.Single();

        // Assert
        now.LeftoverDiscard.Should().BeNull("a worker may still be removing it");
        later.LeftoverDiscard.Should().NotBeNull();
        later.LeftoverDiscard!.Path.Should().Be(image + ".stateless-discard");
        later.LeftoverDiscard.AllocatedBytes.Should().BeGreaterThanOrEqualTo(1024 * 1024);
    }
}
