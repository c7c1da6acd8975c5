using System.Diagnostics;
using System.Globalization;
using LibvirtHook.EndToEnd.Support;
using LibvirtHook.Hook;
using LibvirtHook.Logging;
using LibvirtHook.Platform;
using LibvirtHook.Stateless;
using Xunit.Abstractions;
using static LibvirtHook.Logging.LogCatalog;

namespace LibvirtHook.EndToEnd;

/// <summary>
/// The behaviours that need a real kernel, with Debian's kernel and a busybox /init on an ext2
/// disk (Support/LinuxGuest.cs): its own reboot, ACPI shutdown, a file system that a commit must
/// keep whole, and a guest that writes its whole disk. Each boot costs seconds under TCG, so few
/// specs, each proving several things.
/// </summary>
[Collection(PrivateLibvirtCollection.Name)]
public sealed class LinuxGuestSpecs : IClassFixture<LinuxGuestFixture>, IDisposable
{
    private const int Boot = LinuxGuest.BaseBoots + 1;
    private const int WaitSeconds = 120;
    private const string Stateless = """{"disks": [{"target": "vda"}]}""";

    private readonly PrivateLibvirt _libvirt;
    private readonly LinuxGuestFixture _linux;
    private readonly LinuxVms _vms;
    private readonly ITestOutputHelper _output;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public LinuxGuestSpecs(PrivateLibvirt libvirt, LinuxGuestFixture linux, ITestOutputHelper output)
    {
        _libvirt = libvirt;
        _linux = linux;
        _output = output;
        _vms = new LinuxVms(libvirt, linux.Guest);
        _output.WriteLine($"Linux guest: {linux.Guest.KernelVersion}, accelerator {linux.Guest.Accelerator}");
    }

    public void Dispose()
    {
        _output.WriteLine($"spec took {_clock.Elapsed.TotalSeconds:F1} s");
        _vms.Dispose();
    }

    [Fact]
    public void A_guest_reboot_with_on_reboot_destroy_is_cold_restarted_from_the_base()
    {
        // Arrange
        const string name = "e2e-linux-reboot";
        var vm = _vms.Create(name, LinuxGuestMode.Reboot,
            """{"disks": [{"target": "vda"}], "restart": {"on": ["shutdown"], "max-restarts": 1, "window-seconds": 600}}""");
        var original = TestVms.Hash(vm.Image);

        // Act: the guest reboots, is started again, reboots again, and the crash-loop guard ends it.
        _libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => _libvirt.CountLogLines(name, IsCrashLoopGiveUp) == 1, "two reboots and the crash-loop guard", WaitSeconds);
        _libvirt.WaitForState(name, "shut off");
        _libvirt.WaitForReleases(name, 2);

        // Assert
        var boots = LinuxGuest.ReadBoots(vm.Serial);
        boots.Should().HaveCount(2);
        boots.Should().AllSatisfy(b =>
        {
            b.Boot.Should().Be(Boot, "each boot found the base's count");
            b.Files.Should().Equal("boots", b.SessionFile);
        });
        boots[1].Session.Should().NotBe(boots[0].Session);
        var log = _libvirt.LogLines(name);
        log.Should().Contain(l => ReleasedOnShutdownWithRestartScheduled(l));
        log.Should().Contain(l => l.Restarted(Outcomes.Started) && l.Has(Keys.Reason, "shutdown"));
        LinuxGuest.ReadDisk(vm.Image).Should().BeEquivalentTo(new LinuxDisk(LinuxGuest.BaseBoots, ["boots"]));
        TestVms.Hash(vm.Image).Should().Be(original);
    }

    [Fact]
    public void Virsh_shutdown_reaches_the_guest_reverts_its_disk_and_restarts_it_when_shutdown_is_in_restart_on()
    {
        // Arrange
        const string name = "e2e-linux-acpi";
        var vm = _vms.Create(name, LinuxGuestMode.Acpi, """{"disks": [{"target": "vda"}], "restart": {"on": ["shutdown"]}}""");
        var original = TestVms.Hash(vm.Image);
        _libvirt.Virsh("start", name);
        // A press before button.ko is loaded is lost: the guest says when it listens.
        WaitForGuestLine(vm, "ready", 1);
        var duringSession = LinuxGuest.ReadDisk(vm.Image);

        // Act
        _libvirt.Virsh("shutdown", name);
        WaitForGuestLine(vm, "ready", 2);
        _libvirt.WriteConfig(name, Stateless);
        _libvirt.Virsh("shutdown", name);
        _libvirt.WaitForReleases(name, 2, WaitSeconds);
        _libvirt.WaitForState(name, "shut off");

        // Assert
        var boots = LinuxGuest.ReadBoots(vm.Serial);
        boots.Should().HaveCount(2);
        boots.Should().AllSatisfy(b => b.Files.Should().Equal("boots", b.SessionFile));
        boots.Select(b => b.Boot).Should().Equal(Boot, Boot);
        duringSession.Should().BeEquivalentTo(new LinuxDisk(Boot, ["boots", boots[0].SessionFile]), "the session wrote to its overlay");
        LinuxGuest.CountGuestLines(vm.Serial, "power button: shutting down").Should().Be(2, "both shutdowns were the guest's own, on ACPI");
        var log = _libvirt.LogLines(name);
        log.Should().Contain(l => ReleasedOnShutdownWithRestartScheduled(l));
        log.Should().ContainSingle(l => l.Restarted(Outcomes.Started)).Which.Has(Keys.Reason, "shutdown").Should().BeTrue();
        LinuxGuest.ReadDisk(vm.Image).Should().BeEquivalentTo(new LinuxDisk(LinuxGuest.BaseBoots, ["boots"]));
        TestVms.Hash(vm.Image).Should().Be(original);
    }

    [Fact]
    public void A_one_shot_commit_keeps_exactly_that_sessions_files_and_the_next_sessions_are_thrown_away()
    {
        // Arrange
        const string name = "e2e-linux-one-shot";
        var vm = _vms.Create(name, LinuxGuestMode.PowerOff, """{"disks": [{"target": "vda", "one-shot-commit": true}]}""");

        // Act
        PowerCycle(name, 1);
        var afterCommit = LinuxGuest.ReadDisk(vm.Image);
        var committed = TestVms.Hash(vm.Image);
        PowerCycle(name, 2);
        PowerCycle(name, 3);

        // Assert
        var boots = LinuxGuest.ReadBoots(vm.Serial);
        boots.Should().HaveCount(3);
        var kept = boots[0].SessionFile;
        boots[0].Should().BeEquivalentTo(new LinuxBoot(Boot, boots[0].Session, ["boots", kept]));
        afterCommit.Should().BeEquivalentTo(new LinuxDisk(Boot, ["boots", kept]), "the committed session's count and file, nothing else");
        boots[1].Should().BeEquivalentTo(new LinuxBoot(Boot + 1, boots[1].Session, ["boots", kept, boots[1].SessionFile]));
        boots[2].Should().BeEquivalentTo(new LinuxBoot(Boot + 1, boots[2].Session, ["boots", kept, boots[2].SessionFile]), "session 2 was thrown away");
        LinuxGuest.ReadDisk(vm.Image).Should().BeEquivalentTo(afterCommit);
        TestVms.Hash(vm.Image).Should().Be(committed);
        _libvirt.LogLines(name).Should().ContainSingle(l => l.DiskStep("release", "vda", Name(DiskAction.Committed)))
            .Which.Has(Keys.OneShotCommit, "reset-to-false").Should().BeTrue();
        LibvirtHook.Config.ConfigParser.Parse(File.ReadAllText(_libvirt.ConfigPath(name)), name).Disks.Single().OneShotCommit.Should().BeFalse();
    }

    [Fact]
    public void Release_after_a_guest_filled_its_disk_puts_the_base_back_by_rename_as_after_an_idle_guest()
    {
        // Arrange: two guests on 128 MiB disks, one idle, one that writes until its disk is full.
        const int diskMiB = 128;
        var idle = _vms.Create("e2e-linux-idle", LinuxGuestMode.Acpi, Stateless, diskMiB);
        var full = _vms.Create("e2e-linux-fill", LinuxGuestMode.Fill, Stateless, diskMiB);
        var vms = new[] { idle, full };
        var originals = vms.ToDictionary(v => v.Name, v => (Hash: TestVms.Hash(v.Image), FileSystem.Stat(v.Image).Inode));
        foreach (var vm in vms)
            _libvirt.Virsh("start", vm.Name);
        foreach (var vm in vms)
            WaitForGuestLine(vm, "ready", 1);
        var overlayBytes = vms.ToDictionary(v => v.Name, v => new FileInfo(v.Image).Length);

        // Act
        foreach (var vm in vms)
        {
            _libvirt.Virsh("shutdown", vm.Name);
            _libvirt.WaitForReleases(vm.Name, 1, WaitSeconds);
            _libvirt.WaitForState(vm.Name, "shut off");
        }

        // Assert
        var filledKib = LinuxGuest.ReadGuestLines(full.Serial).Single(l => l.StartsWith("filled-kib=", StringComparison.Ordinal));
        int.Parse(filledKib["filled-kib=".Length..], CultureInfo.InvariantCulture).Should().BeGreaterThan(diskMiB * 1024 * 8 / 10);
        overlayBytes[full.Name].Should().BeGreaterThan(diskMiB * 1024L * 1024 * 8 / 10, "the guest's writes went to the overlay");
        overlayBytes[idle.Name].Should().BeLessThan(8L * 1024 * 1024);
        foreach (var vm in vms)
        {
            var log = _libvirt.LogLines(vm.Name);
            var release = log.Single(l => l.Ended("release", Outcomes.Ok));
            var disk = log.Single(l => l.Op == "release" && l.Has(Keys.Disk, "vda"));
            _linux.Report($"{vm.Name}: overlay {overlayBytes[vm.Name] / 1024} KiB at shutdown; release: disk ms={disk.Number(Keys.Ms)}, whole hook ms={release.Number(Keys.Ms)}");
            disk[Keys.Action].Should().Be(Name(DiskAction.DiscardedOverlay));
            log.Should().NotContain(l => l.Has(Keys.Action, Name(DiskAction.Committed)), "nothing was copied into the base");
            FileSystem.Stat(vm.Image).Inode.Should().Be(originals[vm.Name].Inode, "the base was renamed back, not rewritten");
            TestVms.Hash(vm.Image).Should().Be(originals[vm.Name].Hash);
            vm.FileNames().Should().BeEquivalentTo(["disk.qcow2", "serial.log"], "the overlay is gone");
            LinuxGuest.ReadDisk(vm.Image).Should().BeEquivalentTo(new LinuxDisk(LinuxGuest.BaseBoots, ["boots"]));
        }
    }

    private void PowerCycle(string name, int cycle)
    {
        _libvirt.Virsh("start", name);
        _libvirt.WaitForReleases(name, cycle, WaitSeconds);
        _libvirt.WaitForState(name, "shut off");
    }

    private static void WaitForGuestLine(TestVm vm, string line, int count) =>
        PrivateLibvirt.WaitFor(() => LinuxGuest.CountGuestLines(vm.Serial, line) >= count, $"\"GUEST {line}\" #{count} from \"{vm.Name}\"", WaitSeconds);

    private static bool ReleasedOnShutdownWithRestartScheduled(LogLine line) =>
        line.Ended("release", Outcomes.Ok) && line.Has(Keys.Action, Name(HookAction.Released))
        && line.Has(Keys.ShutoffReason, "shutdown") && line.Has(Keys.Restart, RestartValues.Scheduled);
}
