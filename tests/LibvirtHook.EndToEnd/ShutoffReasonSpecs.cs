using LibvirtHook.EndToEnd.Support;
using LibvirtHook.Logging;
using static LibvirtHook.Logging.LogCatalog;

namespace LibvirtHook.EndToEnd;

/// <summary>
/// Issue 9: every shut-off reason the suite can provoke reaches the release hook, and the
/// restart decision follows it. libvirt 10.5 and later pass the reason as release's argument;
/// 9.0 only writes it to the domain log. The release line's reason-from= says which the hook
/// read, and one theory makes the domain log lie to show which one wins.
/// </summary>
[Collection(PrivateLibvirtCollection.Name)]
public sealed class ShutoffReasonSpecs(PrivateLibvirt libvirt) : IDisposable
{
    private readonly TestVms _vms = new(libvirt);

    public void Dispose() => _vms.Dispose();

    private static string Hash(string path) => TestVms.Hash(path);

    [Theory]
    [InlineData(HowItStops.GuestPowerOff, "shutdown")]
    [InlineData(HowItStops.GuestResetWithOnRebootDestroy, "shutdown")]
    [InlineData(HowItStops.VirshDestroy, "destroyed")]
    [InlineData(HowItStops.KilledQemu, "crashed")]
    [InlineData(HowItStops.FailedStart, "failed")]
    public void The_release_hook_gets_the_reason_and_a_restart_on_that_reason_starts_the_vm_from_its_base(HowItStops how, string reason)
    {
        // Arrange: restart only on this reason, once.
        var name = $"e2e-reason-{how}".ToLowerInvariant();
        var ending = how switch
        {
            HowItStops.GuestPowerOff => GuestEnding.PowerOff,
            HowItStops.GuestResetWithOnRebootDestroy => GuestEnding.Reset,
            _ => GuestEnding.Halt,
        };
        var vm = _vms.Prepare(name, ending);
        var original = Hash(vm.Image);
        // One UUID for both definitions of the failed-start case: the second replaces the first.
        var xml = TinyGuest.DomainXml(name, vm.Serial, ("hda", vm.Image))
            .Replace("</name>", $"</name>\n  <uuid>{Guid.NewGuid()}</uuid>", StringComparison.Ordinal);
        libvirt.WriteConfig(name, $$$"""{"disks": [{"target": "hda"}], "restart": {"on": ["{{{reason}}}"], "delay-seconds": 1, "max-restarts": 1}}""");
        libvirt.Define(how == HowItStops.FailedStart ? WithUnknownQemuOption(xml) : xml);

        // Act
        if (how == HowItStops.FailedStart)
        {
            var start = libvirt.VirshUnchecked("start", "--domain", name);
            start.ExitCode.Should().NotBe(0, "QEMU refuses an option it does not know");
            // The cause goes away before the worker's delay is over, as a transient one would.
            libvirt.Define(xml);
        }
        else
        {
            libvirt.Virsh("start", "--domain", name);
            PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(vm.Serial) == 1, "the first boot");
            if (how == HowItStops.VirshDestroy)
                libvirt.Virsh("destroy", "--domain", name);
            if (how == HowItStops.KilledQemu)
                libvirt.Kill(libvirt.QemuPid(name));
        }

        libvirt.WaitForReleases(name, 1);
        PrivateLibvirt.WaitFor(() => libvirt.CountLogLines(name, l => l.Restarted()) >= 1, "the restart worker's verdict");
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(vm.Serial) == (how == HowItStops.FailedStart ? 1 : 2), "the restarted guest's boot");

        // Assert
        var log = libvirt.LogLines(name);
        log.Should().Contain(l => Released(l, reason, libvirt.ShutoffReasonSource) && l.Has(Keys.Restart, RestartValues.Scheduled));
        log.Should().Contain(l => l.Restarted(Outcomes.Started) && l.Has(Keys.Reason, reason));
        TinyGuest.ReadSerial(vm.Serial).Should().AllSatisfy(b => b.Should().Be(new BootRecord(0x80, 0)), "every boot starts from the base");
        if (how == HowItStops.FailedStart)
            libvirt.CountLogLines(name, l => l.Ended("prepare", Outcomes.Ok)).Should().Be(2, "the failed start got as far as the hook's prepare");
        StopForGood(name, vm.Image);
        Hash(vm.Image).Should().Be(original);
    }

    [Fact]
    public void A_managed_save_reaches_the_release_hook_as_saved_and_is_never_restarted()
    {
        // Arrange: a restart policy that would restart on anything it may.
        const string name = "e2e-reason-saved";
        var vm = _vms.Create(name, GuestEnding.Halt, """{"disks": [{"target": "hda"}], "restart": {"on": ["shutdown", "destroyed", "crashed", "failed", "unknown", "daemon", "from snapshot"]}}""");
        libvirt.Virsh("start", "--domain", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(vm.Serial) == 1, "the first boot");

        // Act
        libvirt.Virsh("managedsave", "--domain", name);
        libvirt.WaitForReleases(name, 1);
        Thread.Sleep(2000); // a restart worker would have started it by now

        // Assert
        libvirt.LogLines(name).Should().Contain(l => l.Ended("release", Outcomes.Ok) && l.Has(Keys.Action, "kept-for-restore")
            && l.Has(Keys.ShutoffReason, "saved") && l.Has(Keys.ReasonFrom, libvirt.ShutoffReasonSource) && l[Keys.Restart] == null);
        libvirt.Virsh("domstate", "--reason", "--domain", name).StandardOutput.Trim().Should().Be("shut off (saved)");
        libvirt.CountLogLines(name, l => l.Restarted()).Should().Be(0);
    }

    /// <summary>
    /// The domain log is QEMU's stderr too: a QEMU that writes the last "shutting down" line can
    /// claim a crash (a restart reason here) or a managed save (keep the overlay for a restore).
    /// Neither claim restarts the VM or keeps its overlay. On libvirt 9.0, with only the log to
    /// go by, a claimed crash only hands the question to the worker, which asks libvirt
    /// (<paramref name="reasonOnOldLibvirt"/> and <paramref name="sourceOnOldLibvirt"/> are what
    /// release logs there).
    /// </summary>
    [Theory]
    [InlineData("crashed", "crashed", "domain-log")]
    [InlineData("saved", "not-known-yet", "domain-log-not-believed")]
    public void A_domain_log_that_lies_about_the_reason_neither_restarts_the_vm_nor_keeps_its_overlay(string forged, string reasonOnOldLibvirt, string sourceOnOldLibvirt)
    {
        // Arrange: the domain log, read-only for libvirt, ends with the forged line (simulated: the
        // log is made to end so); restarts happen on crashes only.
        var name = $"e2e-reason-forged-{forged}";
        var vm = _vms.Create(name, GuestEnding.Halt, """{"disks": [{"target": "hda"}], "restart": {"on": ["crashed"], "max-restarts": 1}}""");
        var original = Hash(vm.Image);
        libvirt.Virsh("start", "--domain", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(vm.Serial) == 1, "the first boot");
        var lie = Path.Combine(vm.Directory, "forged.log");
        File.WriteAllText(lie, $"2026-12-01 10:00:00.000+0000: shutting down, reason={forged}\n");
        var domainLog = HookPaths.Default.DomainLogFile(name);
        libvirt.InNamespace("mount", "--bind", "-o", "ro", lie, domainLog);
        try
        {
            // Act
            libvirt.Virsh("destroy", "--domain", name);
            libvirt.WaitForReleases(name, 1);
        }
        finally
        {
            libvirt.InNamespace("umount", domainLog);
        }

        // Assert: 10.5+ says "destroyed" and leaves it off; 9.0 has only the log to go by.
        var log = libvirt.LogLines(name);
        if (libvirt.PassesShutoffReason)
        {
            log.Should().Contain(l => Released(l, "destroyed", "argument") && l.Has(Keys.Restart, RestartValues.No)
                && l.Has(Keys.Why, "reason \"destroyed\" is not in restart.on [crashed]"));
            Thread.Sleep(2000); // a restart worker would have started it by now
            libvirt.DomainState(name).Should().Be("shut off");
        }
        else
        {
            // Issue 15: the log only hands the question to the worker, which asks libvirt:
            // "destroyed", so the VM stays off.
            log.Should().Contain(l => Released(l, reasonOnOldLibvirt, sourceOnOldLibvirt) && l.Has(Keys.Restart, RestartValues.Scheduled));
            PrivateLibvirt.WaitFor(() => libvirt.CountLogLines(name, l => l.Restarted()) == 1, "the restart worker's verdict");
            libvirt.LogLines(name).Should().Contain(l => l.Restarted(Outcomes.NotStarted) && l.Has(Keys.Reason, "destroyed"));
            libvirt.DomainState(name).Should().Be("shut off");
        }

        // Assert: the overlay was discarded, so the next boot sees the base.
        libvirt.Virsh("start", "--domain", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(vm.Serial) == 2, "the second boot");
        libvirt.Virsh("destroy", "--domain", name);
        libvirt.WaitForReleases(name, 2);
        var firstRelease = libvirt.LogLines(name).First(l => l.Ended("release", Outcomes.Ok));
        firstRelease.Has(Keys.Action, "released").Should().BeTrue(firstRelease.ToString());
        firstRelease[Keys.ReasonFrom].Should().Be(libvirt.PassesShutoffReason ? "argument" : sourceOnOldLibvirt);
        TinyGuest.ReadSerial(vm.Serial).Should().Equal([new BootRecord(0x80, 0), new BootRecord(0x80, 0)], "the second boot starts from the base, not from the first boot's overlay");
        Hash(vm.Image).Should().Be(original);
    }

    /// <summary>Takes restart out of the config, stops the VM if it runs, and waits for the last worker and release.</summary>
    private void StopForGood(string name, string image)
    {
        libvirt.WriteConfig(name, """{"disks": [{"target": "hda"}]}""");
        libvirt.VirshUnchecked("destroy", "--domain", name);
        libvirt.WaitForState(name, "shut off");
        PrivateLibvirt.WaitFor(
            () => libvirt.CountLogLines(name, l => l.Has(Keys.Restart, RestartValues.Scheduled)) == libvirt.CountLogLines(name, l => l.Restarted()),
            "the last restart worker to finish");
        libvirt.WaitForState(name, "shut off");
        PrivateLibvirt.WaitFor(() => !File.Exists(image + ".stateless-base"), "the last release to put the base back");
    }

    private static bool Released(LogLine line, string reason, string source) =>
        line.Ended("release", Outcomes.Ok) && line.Has(Keys.Action, "released") && line.Has(Keys.ShutoffReason, reason) && line.Has(Keys.ReasonFrom, source);

    /// <summary>QEMU exits at once on an option it does not know; libvirt has run the prepare hook by then.</summary>
    private static string WithUnknownQemuOption(string xml) =>
        xml.Replace("<domain type='qemu'>", "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>", StringComparison.Ordinal)
            .Replace("</domain>", "  <qemu:commandline><qemu:arg value='-no-such-option'/></qemu:commandline>\n</domain>", StringComparison.Ordinal);
}
