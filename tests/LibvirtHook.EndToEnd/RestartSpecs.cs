using System.Diagnostics;
using LibvirtHook.EndToEnd.Support;
using static LibvirtHook.Logging.LogCatalog;

namespace LibvirtHook.EndToEnd;

/// <summary>Issue 3's acceptance: cold restarts through the detached worker, on a real libvirtd.</summary>
[Collection(PrivateLibvirtCollection.Name)]
public sealed class RestartSpecs(PrivateLibvirt libvirt) : IDisposable
{
    private readonly TestVms _vms = new(libvirt);

    public void Dispose() => _vms.Dispose();

    private (string Image, string Serial) NewVm(string name, GuestEnding ending, string config)
    {
        var vm = _vms.Create(name, ending, config);
        return (vm.Image, vm.Serial);
    }

    /// <summary>Ends a restart loop the way an admin would: take restart out of the config, wait until it stays off.</summary>
    private void StopLoop(string name, string config)
    {
        libvirt.WriteConfig(name, config);
        PrivateLibvirt.WaitFor(() => libvirt.CountLogLines(name, l => l.Restarted(Outcomes.NotStarted)) >= 1 || libvirt.DomainState(name) == "shut off" && !PendingWorker(name), "the restart loop to end", 60);
        libvirt.VirshUnchecked("destroy", name);
        libvirt.WaitForState(name, "shut off");
        PrivateLibvirt.WaitFor(() => !PendingWorker(name), "the last worker to finish");
    }

    private bool PendingWorker(string name) =>
        libvirt.CountLogLines(name, l => l.Has(Keys.Restart, RestartValues.Scheduled)) > libvirt.CountLogLines(name, l => l.Restarted());

    private static string Hash(string path) => TestVms.Hash(path);

    [Fact]
    public void A_self_resetting_guest_is_cold_restarted_again_and_again_from_the_base_without_blocking_libvirtd()
    {
        // Arrange
        const string name = "e2e-reset-loop";
        var (image, serial) = NewVm(name, GuestEnding.Reset,
            """{"disks": [{"target": "hda"}], "restart": {"max-restarts": 100, "window-seconds": 600}}""");
        var original = Hash(image);
        var slowestList = TimeSpan.Zero;
        var failedLists = 0;
        using var probing = new CancellationTokenSource();
        var prober = new Thread(() =>
        {
            while (!probing.IsCancellationRequested)
            {
                var watch = Stopwatch.StartNew();
                // Unchecked: an exception on this thread would take the whole test run down.
                if (libvirt.VirshUnchecked("list", "--all").ExitCode != 0)
                    failedLists++;
                slowestList = TimeSpan.FromTicks(Math.Max(slowestList.Ticks, watch.Elapsed.Ticks));
                Thread.Sleep(100);
            }
        });
        prober.Start();

        // Act
        var clock = Stopwatch.StartNew();
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(serial) >= 6, "six boots (five automatic cold restarts)", 30);
        var elapsed = clock.Elapsed;
        probing.Cancel();
        prober.Join();
        StopLoop(name, """{"disks": [{"target": "hda"}]}""");

        // Assert
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30));
        TinyGuest.ReadSerial(serial).Should().HaveCountGreaterThanOrEqualTo(6).And.AllSatisfy(b => b.Should().Be(new BootRecord(0x80, 0)));
        Hash(image).Should().Be(original);
        var log = libvirt.LogLines(name);
        log.Should().Contain(l => l.Ended("release", Outcomes.Ok) && l.Has(Keys.Action, "released") && l.Has(Keys.ShutoffReason, "shutdown")
            && l.Has(Keys.Restart, RestartValues.Scheduled) && l.Number(Keys.WorkerPid) > 0);
        log.Should().Contain(l => l.Restarted(Outcomes.Started) && l.Has(Keys.Reason, "shutdown") && l.Number(Keys.WaitedMs) >= 0);
        // The hook hands off and returns: its own duration is the rename and the spawn, not the wait.
        log.Where(l => l.Ended("release", Outcomes.Ok)).Select(l => l.Number(Keys.Ms)).Should().AllSatisfy(ms => ms.Should().BeLessThan(1000));
        slowestList.Should().BeLessThan(TimeSpan.FromSeconds(5), "libvirtd must keep answering while restarts are pending");
        failedLists.Should().Be(0);
    }

    [Fact]
    public void A_guest_that_powers_itself_off_is_started_again()
    {
        // Arrange
        const string name = "e2e-poweroff-loop";
        var (image, serial) = NewVm(name, GuestEnding.PowerOff, """{"disks": [{"target": "hda"}], "restart": {}}""");
        var original = Hash(image);

        // Act
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(serial) >= 3, "three boots", 30);
        StopLoop(name, """{"disks": [{"target": "hda"}]}""");

        // Assert
        TinyGuest.ReadSerial(serial).Should().AllSatisfy(b => b.Should().Be(new BootRecord(0x80, 0)));
        Hash(image).Should().Be(original);
    }

    [Fact]
    public void Virsh_destroy_does_not_restart_a_vm_whose_restart_on_lacks_destroyed()
    {
        // Arrange
        const string name = "e2e-destroyed";
        var (_, serial) = NewVm(name, GuestEnding.Halt, """{"restart": {"on": ["shutdown", "crashed"]}}""");
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(serial) == 1, "the first boot");

        // Act
        libvirt.Virsh("destroy", name);
        Thread.Sleep(TimeSpan.FromSeconds(10));

        // Assert
        libvirt.DomainState(name).Should().Be("shut off");
        TinyGuest.CountFinishedBoots(serial).Should().Be(1);
        libvirt.LogLines(name).Should().Contain(l => l.Ended("release", Outcomes.Ok) && l.Has(Keys.Action, "released") && l.Has(Keys.ShutoffReason, "destroyed")
            && l.Has(Keys.Restart, RestartValues.No) && l.Has(Keys.Why, "reason \"destroyed\" is not in restart.on [shutdown, crashed]"));
    }

    [Fact]
    public void The_crash_loop_guard_starts_a_failing_guest_max_restarts_times_then_leaves_it_off_and_says_why()
    {
        // Arrange
        const string name = "e2e-crash-loop";
        var (_, serial) = NewVm(name, GuestEnding.Reset, """{"disks": [{"target": "hda"}], "restart": {"max-restarts": 3, "window-seconds": 600}}""");

        // Act
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => libvirt.CountLogLines(name, IsCrashLoopGiveUp) == 1, "the crash-loop guard to give up", 60);
        libvirt.WaitForState(name, "shut off");
        Thread.Sleep(TimeSpan.FromSeconds(3));

        // Assert
        TinyGuest.CountFinishedBoots(serial).Should().Be(4, "one start by hand and exactly three by the hook");
        libvirt.DomainState(name).Should().Be("shut off");
        libvirt.CountLogLines(name, l => l.Restarted(Outcomes.Started)).Should().Be(3);
        libvirt.LogLines(name).Should().Contain(l => l.Has(Keys.Why, "crash-loop guard: 3 restarts in the last 600 s already (max-restarts 3); giving up, start it by hand once it is fixed"));
    }

    [Fact]
    public void A_vm_named_with_a_hundred_non_ascii_letters_gets_its_stateless_cycle_and_restarts()
    {
        // Arrange: 200 bytes of name, 600 once escaped: more than a file name may have.
        var name = string.Concat(Enumerable.Repeat("вм", 50));
        var (image, serial) = NewVm(name, GuestEnding.PowerOff, """{"disks": [{"target": "hda"}], "restart": {}}""");
        var original = Hash(image);

        // Act
        libvirt.Virsh("start", "--domain", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(serial) >= 3, "three boots", 30);
        StopLoop(name, """{"disks": [{"target": "hda"}]}""");

        // Assert
        TinyGuest.ReadSerial(serial).Should().HaveCountGreaterThanOrEqualTo(3).And.AllSatisfy(b => b.Should().Be(new BootRecord(0x80, 0)));
        Hash(image).Should().Be(original);
        libvirt.CountLogLines(name, l => l.Restarted(Outcomes.Started)).Should().BeGreaterThanOrEqualTo(2);
        libvirt.LogLines(name).Should().NotContain(l => l.Ended("prepare", Outcomes.Error) || l.Ended("release", Outcomes.Error));
    }

    [Fact]
    public void A_domain_name_with_spaces_quotes_and_command_substitution_restarts_and_runs_nothing()
    {
        // Arrange
        const string name = "e2e it's \"odd\" $(touch pwned) `touch pwned2`; touch pwned3";
        var (_, serial) = NewVm(name, GuestEnding.PowerOff, """{"restart": {}}""");

        // Act
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(serial) >= 3, "three boots", 30);
        StopLoop(name, """{}""");

        // Assert
        libvirt.CountLogLines(name, l => l.Restarted(Outcomes.Started)).Should().BeGreaterThanOrEqualTo(2);
        foreach (var directory in new[] { "/", libvirt.PathInside("/"), libvirt.Root, Path.Combine(libvirt.Root, "lib"), Environment.CurrentDirectory })
            Directory.GetFiles(directory, "pwned*").Should().BeEmpty();
    }
}
