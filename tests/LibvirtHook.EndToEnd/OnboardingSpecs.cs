using LibvirtHook.EndToEnd.Support;
using LibvirtHook.Platform;
using static LibvirtHook.Logging.LogCatalog;

namespace LibvirtHook.EndToEnd;

/// <summary>Issue 11: libvirt-hook enable and disable, and the on_reboot warning, on the private libvirtd.</summary>
[Collection(PrivateLibvirtCollection.Name)]
public sealed class OnboardingSpecs(PrivateLibvirt libvirt) : IDisposable
{
    private readonly TestVms _vms = new(libvirt);

    public void Dispose() => _vms.Dispose();

    /// <summary>An unmanaged domain whose guest's own reboot is a reboot (libvirt's default), as most VMs are.</summary>
    private TestVm RebootingVm(string name, GuestEnding ending)
    {
        var vm = _vms.Prepare(name, ending);
        libvirt.Define(TinyGuest.DomainXml(name, vm.Serial, ("hda", vm.Image)).Replace("<on_reboot>destroy</on_reboot>", "<on_reboot>restart</on_reboot>"));
        return vm;
    }

    [Fact]
    public void Enable_then_start_makes_the_disk_stateless()
    {
        // Arrange
        const string name = "e2e-enable";
        var vm = _vms.Create(name, GuestEnding.PowerOff, config: null);
        var original = TestVms.Hash(vm.Image);

        // Act
        var enable = libvirt.Admin("enable", name);
        var config = FileSystem.Stat(libvirt.ConfigPath(name));
        libvirt.Virsh("start", name);
        libvirt.WaitForReleases(name, 1);
        libvirt.Virsh("start", name);
        libvirt.WaitForReleases(name, 2);

        // Assert
        enable.ExitCode.Should().Be(0, enable.StandardError);
        enable.StandardOutput.Should().Contain($"Wrote \"/etc/libvirt/hooks/config/{name}.json\" (root, 0644).")
            .And.Contain("Next start: hda (").And.Contain("Next stop: the overlay is discarded");
        config.Owner.Should().Be(0u);
        config.Permissions.Should().Be(0b110_100_100);
        TinyGuest.ReadSerial(vm.Serial).Should().Equal(new BootRecord(0x80, 0), new BootRecord(0x80, 0));
        TestVms.Hash(vm.Image).Should().Be(original);
        libvirt.LogLines(name).Should().Contain(l => l.DiskStep("prepare", "hda", "overlay"));
    }

    [Fact]
    public void Enable_with_cold_reboot_makes_a_guest_reboot_a_cold_boot_from_the_base()
    {
        // Arrange: without the hook this guest would reboot in place, on the same disk, for ever.
        const string name = "e2e-enable-cold";
        var vm = RebootingVm(name, GuestEnding.Reset);
        var before = libvirt.Virsh("dumpxml", "--inactive", "--domain", name).StandardOutput;
        var original = TestVms.Hash(vm.Image);

        // Act
        var enable = libvirt.Admin("enable", name, "--cold-reboot");
        var after = libvirt.Virsh("dumpxml", "--inactive", "--domain", name).StandardOutput;
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(vm.Serial) >= 3, "three boots", 60);
        libvirt.Admin("hold", name);
        PrivateLibvirt.WaitFor(() => libvirt.DomainState(name) == "shut off" && libvirt.CountLogLines(name, l => l.Has(Keys.Restart, RestartValues.Scheduled)) <= libvirt.CountLogLines(name, l => l.Restarted()), "the loop to end", 60);

        // Assert
        enable.ExitCode.Should().Be(0, enable.StandardError);
        enable.StandardOutput.Should().Contain($"Set <on_reboot>destroy</on_reboot> in the persistent definition of \"{name}\" (it was restart)");
        after.Should().Be(before.Replace("<on_reboot>restart</on_reboot>", "<on_reboot>destroy</on_reboot>"), "only on_reboot changes");
        TinyGuest.ReadSerial(vm.Serial).Should().HaveCountGreaterThanOrEqualTo(3).And.AllSatisfy(b => b.Should().Be(new BootRecord(0x80, 0)), "every reboot starts from the base");
        TestVms.Hash(vm.Image).Should().Be(original);
        libvirt.LogLines(name).Should().Contain(l => l.Ended("release", Outcomes.Ok) && l.Has(Keys.ShutoffReason, "shutdown") && l.Has(Keys.Restart, RestartValues.Scheduled));
    }

    [Fact]
    public void Enable_refuses_a_raw_driver_disk_and_writes_nothing()
    {
        // Arrange
        const string name = "e2e-enable-raw";
        _vms.Create(name, GuestEnding.Halt, config: null, driver: "raw");

        // Act
        var auto = libvirt.Admin("enable", name);
        var named = libvirt.Admin("enable", name, "--disk", "hda", "--cold-reboot");

        // Assert
        auto.ExitCode.Should().Be(1);
        auto.StandardError.Should().Contain("has no file-backed qcow2 disk to make stateless (hda (driver raw;");
        named.ExitCode.Should().Be(1);
        named.StandardError.Should().Contain("<driver type='raw'/>");
        File.Exists(libvirt.ConfigPath(name)).Should().BeFalse();
        libvirt.Virsh("dumpxml", "--inactive", "--domain", name).StandardOutput.Should().Contain("<on_reboot>destroy</on_reboot>");
    }

    [Fact]
    public void Disable_of_a_running_vm_says_its_overlay_is_still_discarded_and_the_stop_discards_it()
    {
        // Arrange
        const string name = "e2e-disable";
        var vm = _vms.Create(name, GuestEnding.Halt, """{"disks": [{"target": "hda"}]}""");
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(vm.Serial) == 1, "the boot");

        // Act
        var disable = libvirt.Admin("disable", name);
        libvirt.Virsh("destroy", name);
        libvirt.WaitForReleases(name, 1);

        // Assert
        disable.ExitCode.Should().Be(0, disable.StandardError);
        disable.StandardOutput.Should().Contain("It still runs on overlays (hda): they are discarded at its next stop");
        File.Exists(libvirt.ConfigPath(name)).Should().BeFalse();
        File.Exists(libvirt.ConfigPath(name) + ".bak").Should().BeTrue();
        TinyGuest.ReadCounter(vm.Image).Should().Be(0);
        File.Delete(libvirt.ConfigPath(name) + ".bak");
    }

    [Fact]
    public void Validate_and_status_warn_and_prepare_logs_once_when_a_stateless_guests_reboot_keeps_its_session()
    {
        // Arrange
        const string name = "e2e-reboot-warning";
        var vm = RebootingVm(name, GuestEnding.Halt);
        libvirt.WriteConfig(name, """{"disks": [{"target": "hda"}]}""");

        // Act
        var validate = libvirt.Admin("validate", name);
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(vm.Serial) == 1, "the boot");
        var status = libvirt.Admin("status", name);

        // Assert
        validate.ExitCode.Should().Be(0, "a warning does not stop the start");
        validate.StandardOutput.Should().Contain($"Warning: \"{name}\" has stateless disks but <on_reboot>restart</on_reboot>: when the guest reboots itself it keeps its session");
        status.StandardOutput.Should().Contain("  warning:  ").And.Contain("<on_reboot>restart</on_reboot>");
        libvirt.CountLogLines(name, l => l.Op == "prepare" && l[Keys.Warning]?.Contains("<on_reboot>restart</on_reboot>") == true).Should().Be(1);
        libvirt.DomainState(name).Should().Be("running");
    }
}
