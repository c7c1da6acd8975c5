using System.Diagnostics;
using System.Text.Json;
using LibvirtHook.EndToEnd.Support;
using LibvirtHook.Logging;
using Xunit.Abstractions;
using static LibvirtHook.Logging.LogCatalog;

namespace LibvirtHook.EndToEnd;

/// <summary>
/// Issue 18's refresh on the private libvirtd: a Linux guest that answers ACPI and the tiny guest
/// that ignores it both come back from their bases, each started exactly once by refresh and never
/// by the hook's restart worker, though their restart policies cover the stop; held and shut-off
/// VMs are left as they are.
/// </summary>
[Collection(PrivateLibvirtCollection.Name)]
public sealed class RefreshSpecs : IClassFixture<LinuxGuestFixture>, IDisposable
{
    private const int WaitSeconds = 120;

    private readonly PrivateLibvirt _libvirt;
    private readonly LinuxGuestFixture _linux;
    private readonly TestVms _vms;
    private readonly LinuxVms _linuxVms;
    private readonly ITestOutputHelper _output;

    public RefreshSpecs(PrivateLibvirt libvirt, LinuxGuestFixture linux, ITestOutputHelper output)
    {
        _libvirt = libvirt;
        _linux = linux;
        _output = output;
        _vms = new TestVms(libvirt);
        _linuxVms = new LinuxVms(libvirt, linux.Guest);
    }

    public void Dispose()
    {
        _linuxVms.Dispose();
        _vms.Dispose();
    }

    [Fact]
    public void A_linux_guest_that_answers_acpi_powers_off_and_is_started_once_from_the_base_though_its_policy_restarts_on_shutdown()
    {
        // Arrange
        const string name = "e2e-refresh-linux";
        var vm = _linuxVms.Create(name, LinuxGuestMode.Acpi, """{"disks": [{"target": "vda"}], "restart": {"on": ["shutdown"]}}""");
        var original = TestVms.Hash(vm.Image);
        _libvirt.Virsh("start", name);
        // A press before button.ko is loaded is lost: the guest says when it listens.
        WaitForGuestLine(vm, "ready", 1);
        var duringSession = LinuxGuest.ReadDisk(vm.Image);

        // Act
        var clock = Stopwatch.StartNew();
        var refresh = _libvirt.Admin("refresh", name);
        var took = clock.Elapsed;
        WaitForGuestLine(vm, "ready", 2);

        // Assert
        refresh.ExitCode.Should().Be(0, refresh.StandardError);
        refresh.StandardOutput.Should().StartWith($"\"{name}\": shut down on the ACPI request in ").And.Contain("started again from its base images");
        LinuxGuest.CountGuestLines(vm.Serial, "power button: shutting down").Should().Be(1, "the guest shut itself down on the ACPI request");
        var boots = LinuxGuest.ReadBoots(vm.Serial);
        boots.Should().HaveCount(2);
        duringSession.Should().BeEquivalentTo(new LinuxDisk(LinuxGuest.BaseBoots + 1, ["boots", boots[0].SessionFile]), "the first session wrote to its overlay");
        boots[1].Should().BeEquivalentTo(new LinuxBoot(LinuxGuest.BaseBoots + 1, boots[1].Session, ["boots", boots[1].SessionFile]), "the second boot found the base: its count, no file of the first session");
        boots[1].Session.Should().NotBe(boots[0].Session);
        var line = AssertStartedOnceByRefresh(name, "shutdown", "shutdown");
        _linux.Report($"refresh of the Linux guest (ACPI): {took.TotalSeconds:F1} s for the command; log: stop-ms={line.Number(Keys.StopMs)} down-ms={line.Number(Keys.DownMs)} total-ms={line.Number(Keys.TotalMs)}");
        _output.WriteLine(refresh.StandardOutput);
        TestVms.Hash(vm.Image + ".stateless-base").Should().Be(original, "the base was never written");
    }

    [Fact]
    public void A_guest_that_ignores_acpi_is_destroyed_at_the_timeout_and_started_once_from_the_base()
    {
        // Arrange: the tiny guest halts once it has counted its boot; an ACPI request reaches nobody.
        const string name = "e2e-refresh-halt";
        var vm = _vms.Create(name, GuestEnding.Halt, """{"disks": [{"target": "hda"}], "restart": {"on": ["shutdown", "destroyed"]}}""");
        var original = TestVms.Hash(vm.Image);
        _libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(vm.Serial) == 1, "the first boot to count itself");

        // Act
        var clock = Stopwatch.StartNew();
        var refresh = _libvirt.Admin("refresh", "--timeout", "3s", name);
        var took = clock.Elapsed;
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(vm.Serial) == 2, "the boot after the refresh to count itself");

        // Assert
        refresh.ExitCode.Should().Be(0, refresh.StandardError);
        refresh.StandardOutput.Should().StartWith($"\"{name}\": still running 3.0 s after the ACPI request, so destroyed; started again from its base images; down ");
        TinyGuest.ReadSerial(vm.Serial).Should().Equal([new BootRecord(0x80, 0), new BootRecord(0x80, 0)], "both boots found the base's counter");
        TinyGuest.ReadCounter(vm.Image + ".stateless-base").Should().Be(0);
        TestVms.Hash(vm.Image + ".stateless-base").Should().Be(original);
        var line = AssertStartedOnceByRefresh(name, "destroyed-after-timeout", "destroyed");
        line.Has(Keys.TimeoutSeconds, "3").Should().BeTrue();
        _linux.Report($"refresh of the tiny guest that ignores ACPI (--timeout 3s): {took.TotalSeconds:F1} s for the command; log: stop-ms={line.Number(Keys.StopMs)} down-ms={line.Number(Keys.DownMs)} total-ms={line.Number(Keys.TotalMs)}");
        _output.WriteLine(refresh.StandardOutput);
    }

    [Fact]
    public void A_held_vm_is_left_alone_and_a_vm_that_is_shut_off_stays_off_by_name_and_with_all()
    {
        // Arrange: "held" runs and is held; "off" powered itself off; "runs" runs and is refreshed by --all.
        const string held = "e2e-refresh-held", off = "e2e-refresh-off", runs = "e2e-refresh-runs";
        const string config = """{"disks": [{"target": "hda"}], "restart": {"on": ["crashed"]}}""";
        var heldVm = _vms.Create(held, GuestEnding.Halt, config);
        var offVm = _vms.Create(off, GuestEnding.PowerOff, config);
        var runsVm = _vms.Create(runs, GuestEnding.Halt, config);
        foreach (var name in new[] { held, off, runs })
            _libvirt.Virsh("start", name);
        _libvirt.WaitForReleases(off, 1);
        _libvirt.WaitForState(off, "shut off");
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(heldVm.Serial) == 1 && TinyGuest.CountFinishedBoots(runsVm.Serial) == 1, "the running guests to count their boots");
        _libvirt.Admin("hold", held).ExitCode.Should().Be(0);

        // Act
        var byName = _libvirt.Admin("refresh", held, off);
        var all = _libvirt.Admin("refresh", "--all", "--timeout", "1s", "--stagger", "1s");

        // Assert
        byName.ExitCode.Should().Be(0, byName.StandardError);
        byName.StandardOutput.Should().Be(
            $"\"{held}\": left alone: held by an admin (libvirt-hook unhold {held} to allow restarts again); refresh --force refreshes it anyway.\n"
            + $"\"{off}\": not refreshed: it is shut off (shutdown): a VM that is off stays off.\n");
        all.ExitCode.Should().Be(0, all.StandardError);
        all.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':')[0]).Should().Equal($"\"{held}\"", $"\"{off}\"", $"\"{runs}\"");
        all.StandardOutput.Should().Contain($"\"{runs}\": still running 1.0 s after the ACPI request, so destroyed; started again");
        _libvirt.DomainState(held).Should().Be("running");
        _libvirt.DomainState(off).Should().Be("shut off");
        _libvirt.CountLogLines(held, l => l.Ended("prepare")).Should().Be(1, "the held VM was never stopped or started");
        _libvirt.CountLogLines(off, l => l.Ended("prepare")).Should().Be(1, "the VM that was off was not started");
        TinyGuest.CountFinishedBoots(heldVm.Serial).Should().Be(1);
        TinyGuest.CountFinishedBoots(offVm.Serial).Should().Be(1);
        _libvirt.LogLines(held).Where(l => l.Op == RefreshOp).Select(l => (l[Keys.Outcome], l[Keys.Action])).Should().Equal(("not-started", "held"), ("not-started", "held"));
        _libvirt.LogLines(off).Where(l => l.Op == RefreshOp).Select(l => (l[Keys.Outcome], l[Keys.Action])).Should().Equal(("not-started", "not-running"), ("not-started", "not-running"));
        _libvirt.LogLines(runs).Where(l => l.Op == RefreshOp).Select(l => (l[Keys.Outcome], l[Keys.Action])).Should().Equal(("started", "destroyed-after-timeout"));
        _output.WriteLine(byName.StandardOutput + all.StandardOutput);
    }

    /// <summary>
    /// One refresh line that says it started the VM; the stop's release scheduled no restart worker
    /// (it names refresh), no worker ran, the crash-loop guard counted nothing, and the VM was
    /// prepared exactly twice: its first start and refresh's.
    /// </summary>
    private LogLine AssertStartedOnceByRefresh(string name, string action, string shutoffReason)
    {
        var log = _libvirt.LogLines(name);
        var line = log.Should().ContainSingle(l => l.Op == RefreshOp).Subject;
        line.Has(Keys.Outcome, Outcomes.Started).Should().BeTrue(line.ToString());
        line.Has(Keys.Action, action).Should().BeTrue(line.ToString());
        var release = log.Should().ContainSingle(l => l.Ended("release")).Subject;
        release.Has(Keys.ShutoffReason, shutoffReason).Should().BeTrue(release.ToString());
        release.Has(Keys.Restart, RestartValues.No).Should().BeTrue(release.ToString());
        release[Keys.Why].Should().MatchRegex("^libvirt-hook refresh \\(pid [0-9]+\\) stops and starts it itself$");
        log.Should().NotContain(l => l.Op == RestartOp, "no restart worker ran");
        log.Count(l => l.Ended("prepare", Outcomes.Ok)).Should().Be(2, "the first start and refresh's, nothing else");
        File.Exists(_libvirt.Paths.RestartHistoryFile(name)).Should().BeFalse("the crash-loop guard counted no restart");
        File.Exists(_libvirt.Paths.RefreshFile(name)).Should().BeFalse("refresh removed its marker");
        _output.WriteLine(release.ToString());
        _output.WriteLine(line.ToString());
        var json = _libvirt.Admin("log", name, "--json").StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).Single(e => e.GetProperty("op").GetString() == RefreshOp);
        json.GetProperty("action").GetString().Should().Be(action);
        json.GetProperty("down-ms").GetInt64().Should().Be(line.Number(Keys.DownMs));
        return line;
    }

    private static void WaitForGuestLine(TestVm vm, string line, int count) =>
        PrivateLibvirt.WaitFor(() => LinuxGuest.CountGuestLines(vm.Serial, line) >= count, $"\"GUEST {line}\" #{count} from \"{vm.Name}\"", WaitSeconds);
}
