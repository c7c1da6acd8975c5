using LibvirtHook.Admin;
using LibvirtHook.Logging;
using LibvirtHook.Restart;
using LibvirtHook.Tests.Support;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Refresh;

/// <summary>
/// refresh's decisions and its calls, with the fake virsh keeping each domain's state: shutdown
/// turns it off unless the guest ignores ACPI, destroy always does, start turns it on (the real
/// virsh, guests and hook are exercised by the end-to-end RefreshSpecs).
/// </summary>
public sealed class RefreshCommandSpecs : IDisposable
{
    private const string KioskUuid = "8d3c6a2e-0000-4000-8000-000000000001";
    private const string LabUuid = "8d3c6a2e-0000-4000-8000-000000000002";

    private static readonly Dictionary<string, string> Names = new() { [KioskUuid] = "kiosk", [LabUuid] = "lab" };

    private readonly HookSandbox _sandbox = new();
    private readonly FakeVirsh _virsh;

    public RefreshCommandSpecs() =>
        _virsh = new FakeVirsh(_sandbox.Root).On(["-q", "list", "--all", "--uuid", "--name"], VirshAnswer.Prints(Names.Select(p => $"{p.Key} {p.Value}").ToArray()));

    public void Dispose() => _sandbox.Dispose();

    private IReadOnlyList<string> CallList => _virsh.Lines;

    private ToolPaths Tools => _virsh.Tools with { Systemctl = "/bin/false" };

    /// <summary>The starts virsh was asked for, each noting whether refresh held its marker then.</summary>
    private IReadOnlyList<VirshCall> Starts => [.. _virsh.Calls.Where(c => c.Subcommand == "start")];

    /// <summary>A domain the fake libvirt knows, in a state such as "running (booted)".</summary>
    private void Domain(string uuid, string state, bool ignoresAcpi = false, bool startFails = false) =>
        _virsh.Set(uuid, state)
            .On(["domstate", "--reason", "--domain", uuid], VirshAnswer.PrintsStateOf(uuid))
            .On(["dominfo", "--domain", uuid], VirshAnswer.Prints("Persistent:     yes"))
            .On(["shutdown", "--domain", uuid], ignoresAcpi ? VirshAnswer.Nothing : VirshAnswer.Setting(uuid, "shut off (shutdown)"))
            .On(["destroy", "--domain", uuid], VirshAnswer.Setting(uuid, "shut off (destroyed)"))
            .On(["start", "--domain", uuid], (startFails ? VirshAnswer.Fails("error: Failed to start domain") : VirshAnswer.Setting(uuid, "running (booted)"))
                with { NotesLockOn = _sandbox.Paths.RefreshFile(Names[uuid]) });

    private (int Code, string Output, string Error) Run(ToolPaths tools, params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = new AdminCli(_sandbox.Paths, tools, output, error).Run(args);
        return (code, output.ToString(), error.ToString());
    }

    private IReadOnlyList<LogLine> RefreshLines() =>
        [.. LogLine.ParseAll(File.Exists(_sandbox.Paths.LogFile) ? File.ReadAllText(_sandbox.Paths.LogFile) : "").Where(l => l.Op == LogCatalog.RefreshOp)];

    [Fact]
    public void A_guest_that_powers_off_on_acpi_is_shut_down_and_started_again_by_uuid_while_refresh_holds_its_marker()
    {
        // Arrange
        _sandbox.WriteConfig("kiosk", """{"disks": [{"target": "vda"}], "restart": {"on": ["shutdown"]}}""");
        Domain(KioskUuid, "running (booted)");

        // Act
        var (code, output, error) = Run(Tools, "refresh", "kiosk");

        // Assert
        code.Should().Be(ExitCodes.Ok, error);
        output.Should().StartWith("\"kiosk\": shut down on the ACPI request in ").And.Contain("started again from its base images; down ");
        CallList.Where(c => !c.Contains(" domstate ", StringComparison.Ordinal)).Should().Equal(
            "-c qemu:///system -q list --all --uuid --name",
            $"-c qemu:///system dominfo --domain {KioskUuid}",
            $"-c qemu:///system shutdown --domain {KioskUuid}",
            $"-c qemu:///system start --domain {KioskUuid}");
        Starts.Single().LockHeld.Should().BeTrue("refresh holds its marker while it starts the VM");
        var line = RefreshLines().Should().ContainSingle().Subject;
        line.Vm.Should().Be("kiosk");
        line.Fields.Select(f => f.Key).Should().Equal("outcome", "action", "timeout-s", "stop-ms", "down-ms", "total-ms");
        line.Has("outcome", "started").Should().BeTrue();
        line.Has("action", "shutdown").Should().BeTrue();
        line.Has("timeout-s", "120").Should().BeTrue();
        File.Exists(_sandbox.Paths.RefreshFile("kiosk")).Should().BeFalse("refresh removes its marker when it is done");
        new RestartHistory(_sandbox.Paths.RestartHistoryFile("kiosk")).Load().Should().BeEmpty("a refresh is not a restart for the crash-loop guard");
    }

    [Fact]
    public void A_guest_that_ignores_acpi_is_destroyed_once_the_timeout_has_passed_and_started_again()
    {
        // Arrange
        _sandbox.WriteConfig("kiosk", """{"disks": [{"target": "vda"}]}""");
        Domain(KioskUuid, "running (booted)", ignoresAcpi: true);

        // Act
        var (code, output, _) = Run(Tools, "refresh", "kiosk", "--timeout", "1s");

        // Assert
        code.Should().Be(ExitCodes.Ok);
        output.Should().Contain("\"kiosk\": still running 1.0 s after the ACPI request, so destroyed; started again from its base images");
        var calls = CallList.Where(c => !c.Contains(" domstate ", StringComparison.Ordinal)).ToList();
        calls.Should().EndWith([$"-c qemu:///system shutdown --domain {KioskUuid}", $"-c qemu:///system destroy --domain {KioskUuid}", $"-c qemu:///system start --domain {KioskUuid}"]);
        Starts.Single().LockHeld.Should().BeTrue("refresh holds its marker while it starts the VM");
        var line = RefreshLines().Should().ContainSingle().Subject;
        line.Has("action", "destroyed-after-timeout").Should().BeTrue();
        line.Has("timeout-s", "1").Should().BeTrue();
        line.Number("stop-ms").Should().BeGreaterThanOrEqualTo(1000, "it was destroyed only after the timeout");
    }

    [Fact]
    public void A_held_vm_is_left_alone_unless_forced()
    {
        // Arrange
        _sandbox.WriteConfig("kiosk", """{"disks": [{"target": "vda"}]}""");
        Domain(KioskUuid, "running (booted)");
        new Holds(_sandbox.Paths).Hold("kiosk");
        var tools = Tools;

        // Act
        var held = Run(tools, "refresh", "kiosk");
        var callsWhileHeld = CallList;
        var forced = Run(tools, "refresh", "kiosk", "--force");

        // Assert
        held.Code.Should().Be(ExitCodes.Ok);
        held.Output.Should().Be("\"kiosk\": left alone: held by an admin (libvirt-hook unhold kiosk to allow restarts again); refresh --force refreshes it anyway.\n");
        callsWhileHeld.Should().NotContain(c => c.Contains(" shutdown ", StringComparison.Ordinal) || c.Contains(" start ", StringComparison.Ordinal));
        forced.Code.Should().Be(ExitCodes.Ok);
        CallList.Should().Contain($"-c qemu:///system start --domain {KioskUuid}");
        RefreshLines().Select(l => (l["outcome"], l["action"])).Should().Equal(("not-started", "held"), ("started", "shutdown"));
        new Holds(_sandbox.Paths).IsHeld("kiosk").Should().BeTrue("refresh never lifts a hold");
    }

    [Fact]
    public void A_vm_that_is_shut_off_stays_off_and_refresh_says_so()
    {
        // Arrange
        _sandbox.WriteConfig("kiosk", """{"disks": [{"target": "vda"}], "restart": {}}""");
        Domain(KioskUuid, "shut off (destroyed)");

        // Act
        var (code, output, _) = Run(Tools, "refresh", "kiosk");

        // Assert
        code.Should().Be(ExitCodes.Ok);
        output.Should().Be("\"kiosk\": not refreshed: it is shut off (destroyed): a VM that is off stays off.\n");
        CallList.Should().NotContain(c => c.Contains(" shutdown ", StringComparison.Ordinal) || c.Contains(" start ", StringComparison.Ordinal));
        var line = RefreshLines().Should().ContainSingle().Subject;
        line.Has("outcome", "not-started").Should().BeTrue();
        line.Has("action", "not-running").Should().BeTrue();
    }

    [Fact]
    public void All_refreshes_every_managed_vm_libvirt_knows_in_name_order_and_leaves_the_others()
    {
        // Arrange: lab runs, kiosk is off, ghost has a config but no domain; "other" runs unmanaged.
        _sandbox.WriteConfig("lab", """{"disks": [{"target": "vda"}]}""");
        _sandbox.WriteConfig("kiosk", """{"disks": [{"target": "vda"}]}""");
        _sandbox.WriteConfig("ghost", """{"disks": [{"target": "vda"}]}""");
        Domain(KioskUuid, "shut off (shutdown)");
        Domain(LabUuid, "running (booted)");

        // Act
        var (code, output, _) = Run(Tools, "refresh", "--all", "--stagger", "0s");

        // Assert
        code.Should().Be(ExitCodes.Ok);
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':')[0]).Should().Equal("\"kiosk\"", "\"lab\"");
        CallList.Where(c => c.Contains(" start ", StringComparison.Ordinal)).Should().Equal($"-c qemu:///system start --domain {LabUuid}");
        RefreshLines().Select(l => l.Vm).Should().Equal("kiosk", "lab");
    }

    [Fact]
    public void An_unmanaged_or_unknown_vm_is_an_error_that_names_it_and_the_others_are_still_refreshed()
    {
        // Arrange
        _sandbox.WriteConfig("lab", """{"disks": [{"target": "vda"}]}""");
        _sandbox.WriteConfig("ghost", """{"disks": [{"target": "vda"}]}""");
        Domain(LabUuid, "running (booted)");

        // Act
        var (code, output, error) = Run(Tools, "refresh", "kiosk", "ghost", "lab", "--stagger", "0s");

        // Assert
        code.Should().Be(ExitCodes.Failed);
        error.Should().Contain("libvirt-hook: \"kiosk\": \"kiosk\" is not managed: there is no")
            .And.Contain("libvirt-hook: \"ghost\": libvirt knows no domain \"ghost\" (virsh list --all).");
        output.Should().StartWith("\"lab\": shut down on the ACPI request");
        RefreshLines().Select(l => l["outcome"]).Should().Equal("error", "error", "started");
    }

    [Fact]
    public void A_start_that_fails_is_an_error_that_says_the_vm_is_off_and_the_marker_is_released()
    {
        // Arrange
        _sandbox.WriteConfig("kiosk", """{"disks": [{"target": "vda"}]}""");
        Domain(KioskUuid, "running (booted)", startFails: true);

        // Act
        var (code, _, error) = Run(Tools, "refresh", "kiosk");

        // Assert
        code.Should().Be(ExitCodes.Failed);
        error.Should().Contain("\"kiosk\" stopped but did not start again, so it is off now").And.Contain("Failed to start domain");
        var line = RefreshLines().Should().ContainSingle().Subject;
        line.Fields.Select(f => f.Key).Should().Equal("outcome", "action", "stop-ms", "ms", "message");
        line.Has("action", "shutdown").Should().BeTrue();
        File.Exists(_sandbox.Paths.RefreshFile("kiosk")).Should().BeFalse();
    }

    [Fact]
    public void A_second_refresh_of_the_same_vm_does_nothing_while_the_first_holds_the_marker()
    {
        // Arrange
        _sandbox.WriteConfig("kiosk", """{"disks": [{"target": "vda"}]}""");
        Domain(KioskUuid, "running (booted)");
        Directory.CreateDirectory(_sandbox.Paths.StateDirectory);
        using var first = LibvirtHook.Refresh.RefreshMarker.TryTake(_sandbox.Paths.RefreshFile("kiosk"));

        // Act
        var (code, _, error) = Run(Tools, "refresh", "kiosk");

        // Assert
        code.Should().Be(ExitCodes.Failed);
        error.Should().Contain($"another refresh of \"kiosk\" is running (libvirt-hook refresh (pid {Environment.ProcessId}) stops and starts it itself); nothing was done.");
        CallList.Should().NotContain(c => c.Contains(" shutdown ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("refresh")]
    [InlineData("refresh", "kiosk", "--all")]
    [InlineData("refresh", "kiosk", "--timeout", "2 minutes")]
    [InlineData("refresh", "--all", "--stagger", "-1s")]
    public void Without_vms_or_with_a_bad_duration_refresh_is_a_usage_error_that_touches_nothing(params string[] args)
    {
        var (code, _, error) = Run(Tools, args);

        code.Should().Be(ExitCodes.Usage);
        error.Should().Contain("Try: libvirt-hook");
        CallList.Should().BeEmpty();
    }
}
