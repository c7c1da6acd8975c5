using LibvirtHook.Domain;
using LibvirtHook.Logging;
using LibvirtHook.Restart;
using LibvirtHook.Tests.Support;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Restart;

/// <summary>
/// The worker's decisions, with the fake virsh (the real one is exercised by the end-to-end
/// RestartSpecs). domstate answers from a list, one answer per call.
/// </summary>
public sealed class RestartWorkerSpecs : IDisposable
{
    private const string Uuid = "8d3c6a2e-0000-4000-8000-000000000001";

    private readonly HookSandbox _sandbox = new();
    private readonly FakeVirsh _virsh;

    public RestartWorkerSpecs() => _virsh = new FakeVirsh(_sandbox.Root);

    public void Dispose() => _sandbox.Dispose();

    private IReadOnlyList<string> Calls => _virsh.Lines;

    /// <summary>domstate answers these, one per call, then fails as when libvirtd is gone; start succeeds.</summary>
    private ToolPaths Virsh(params string[] domstates)
    {
        _virsh.On(["domstate", "--reason", "--domain", Uuid], [.. domstates.Select(s => VirshAnswer.Prints(s)), VirshAnswer.Fails("error: failed to connect to the hypervisor")]);
        _virsh.On(["start", "--domain", Uuid], VirshAnswer.Prints("Domain started"));
        return _virsh.Tools with { Systemctl = "/bin/false" };
    }

    private string Run(ToolPaths tools, ShutoffReason reason = ShutoffReason.Shutdown)
    {
        var launch = new WorkerLaunch { Domain = "vm", Uuid = Uuid, ReasonAtRelease = reason };
        new RestartWorker(_sandbox.Paths, tools).Run(launch).Should().Be(0);
        return File.ReadAllLines(_sandbox.Paths.LogFile).Single(l => l.Contains("op=restart"));
    }

    private LogLine RunAndRead(ToolPaths tools, ShutoffReason reason) =>
        LogLine.TryParse(Run(tools, reason), out var line) ? line : throw new InvalidOperationException("The worker wrote no log line.");

    [Fact]
    public void It_waits_for_shut_off_then_starts_the_domain_by_uuid_and_records_the_restart()
    {
        _sandbox.WriteConfig("vm", """{"restart": {}}""");

        var line = Run(Virsh("running (booted)", "shut off (shutdown)", "shut off (shutdown)"));

        line.Should().Contain("outcome=started reason=shutdown").And.Contain("why=\"reason \\\"shutdown\\\" is in restart.on; restart 1 of at most 5 in 600 s\"");
        Calls.Last().Should().Be("-c qemu:///system start --domain 8d3c6a2e-0000-4000-8000-000000000001");
        new RestartHistory(_sandbox.Paths.RestartHistoryFile("vm")).Load().Should().ContainSingle();
    }

    [Fact]
    public void An_unknown_reason_is_read_from_libvirt_once_the_domain_is_off()
    {
        _sandbox.WriteConfig("vm", """{"restart": {}}""");

        var line = Run(Virsh("shut off (destroyed)"), reason: ShutoffReason.NotKnownYet);

        line.Should().Contain("outcome=not-started reason=destroyed").And.Contain("is not in restart.on");
    }

    [Fact]
    public void After_its_delay_it_does_not_start_a_domain_someone_else_started_meanwhile()
    {
        _sandbox.WriteConfig("vm", """{"restart": {"delay-seconds": 1}}""");

        var line = Run(Virsh("shut off (shutdown)", "running (booted)"));

        line.Should().Contain("outcome=not-started").And.Contain("someone else started it meanwhile (it is running)");
        Calls.Should().NotContain(c => c.Contains(" start "));
    }

    [Fact]
    public void Without_a_delay_it_starts_the_domain_right_after_libvirt_said_shut_off_without_asking_again()
    {
        _sandbox.WriteConfig("vm", """{"restart": {}}""");

        var line = Run(Virsh("shut off (shutdown)"));

        line.Should().Contain("outcome=started reason=shutdown");
        Calls.Should().Equal(
            "-c qemu:///system domstate --reason --domain 8d3c6a2e-0000-4000-8000-000000000001",
            "-c qemu:///system start --domain 8d3c6a2e-0000-4000-8000-000000000001");
    }

    [Fact]
    public void It_rereads_the_config_and_does_not_start_when_restart_was_removed()
    {
        _sandbox.WriteConfig("vm", """{"disks": []}""");

        var line = Run(Virsh("shut off (shutdown)", "shut off (shutdown)"));

        line.Should().Contain("outcome=not-started").And.Contain("the config has no \\\"restart\\\" section");
    }

    [Fact]
    public void It_does_not_start_a_held_domain()
    {
        _sandbox.WriteConfig("vm", """{"restart": {}}""");
        new Holds(_sandbox.Paths).Hold("vm");

        var line = Run(Virsh("shut off (shutdown)", "shut off (shutdown)"));

        line.Should().Contain("outcome=not-started").And.Contain("held by an admin (libvirt-hook unhold vm to allow restarts again)");
    }

    [Fact]
    public void It_starts_nothing_when_libvirtd_does_not_answer()
    {
        _sandbox.WriteConfig("vm", """{"restart": {}}""");

        var line = Run(Virsh());

        line.Should().Contain("outcome=not-started").And.Contain("libvirtd does not answer, so nothing is started").And.Contain("failed to connect to the hypervisor");
    }

    [Fact]
    public void A_second_worker_for_the_same_vm_gives_way_to_the_pending_one()
    {
        _sandbox.WriteConfig("vm", """{"restart": {}}""");
        Directory.CreateDirectory(_sandbox.Paths.StateDirectory);
        using var pending = LibvirtHook.Platform.FileLock.Acquire(_sandbox.Paths.RestartLockFile("vm"));

        var line = Run(Virsh("shut off (shutdown)"));

        line.Should().Contain("outcome=not-started why=\"another restart of this VM is already pending\"");
        Calls.Should().BeEmpty();
    }

    [Fact]
    public void It_does_not_restart_for_libvirts_reason_unknown_when_restart_on_does_not_list_it()
    {
        // Arrange: libvirt before 10.5 passed "-" and logged no reason; libvirt then says "unknown".
        _sandbox.WriteConfig("vm", """{"restart": {"on": ["shutdown"]}}""");

        // Act
        var line = RunAndRead(Virsh("shut off (unknown)", "shut off (unknown)"), ShutoffReason.NotKnownYet);

        // Assert
        line[LogCatalog.Keys.Outcome].Should().Be(LogCatalog.Outcomes.NotStarted);
        line[LogCatalog.Keys.Reason].Should().Be("unknown");
        line[LogCatalog.Keys.Why].Should().Be("reason \"unknown\" is not in restart.on [shutdown]");
        Calls.Should().NotContain(c => c.Contains(" start "));
    }

    [Fact]
    public void It_does_not_restart_when_libvirt_names_no_reason_at_all()
    {
        _sandbox.WriteConfig("vm", """{"restart": {"on": ["shutdown", "unknown"]}}""");

        var line = RunAndRead(Virsh("shut off", "shut off"), ShutoffReason.NotKnownYet);

        line[LogCatalog.Keys.Outcome].Should().Be(LogCatalog.Outcomes.NotStarted);
        line[LogCatalog.Keys.Why].Should().Be("libvirt did not say why the VM stopped, so it is not restarted");
    }
}
