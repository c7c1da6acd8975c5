using LibvirtHook.EndToEnd.Support;
using static LibvirtHook.Logging.LogCatalog;

namespace LibvirtHook.EndToEnd;

/// <summary>Lifecycle paths that must keep the guest's data: managed save and restore, libvirtd restarts.</summary>
[Collection(PrivateLibvirtCollection.Name)]
public sealed class LifecycleSpecs(PrivateLibvirt libvirt) : IDisposable
{
    private readonly TestVms _vms = new(libvirt);

    public void Dispose() => _vms.Dispose();

    private (string Image, string Serial) NewVm(string name, string config)
    {
        var vm = _vms.Create(name, GuestEnding.Halt, config);
        return (vm.Image, vm.Serial);
    }

    private static string Hash(string path) => TestVms.Hash(path);

    [Fact]
    public void A_managed_save_keeps_the_overlay_the_restore_resumes_on_it_and_the_next_stop_reverts()
    {
        // Arrange
        const string name = "e2e-managedsave";
        var (image, serial) = NewVm(name, """{"disks": [{"target": "hda"}], "restart": {"on": ["shutdown", "destroyed"]}}""");
        var original = Hash(image);
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(serial) == 1, "the first boot");

        // Act
        libvirt.Virsh("managedsave", name);
        libvirt.WaitForReleases(name, 1);
        var counterWhileSaved = TinyGuest.ReadCounter(image);
        Thread.Sleep(2000); // a restart worker would have started it by now
        var stateWhileSaved = libvirt.Virsh("domstate", "--reason", name).StandardOutput.Trim();
        libvirt.Virsh("start", name);
        libvirt.WaitForState(name, "running");
        var counterAfterRestore = TinyGuest.ReadCounter(image);
        var bootsAfterRestore = TinyGuest.CountFinishedBoots(serial);
        libvirt.WriteConfig(name, """{"disks": [{"target": "hda"}]}""");
        libvirt.Virsh("destroy", name);
        libvirt.WaitForReleases(name, 2);

        // Assert
        counterWhileSaved.Should().Be(1, "the saved guest's disk keeps this session's write");
        stateWhileSaved.Should().Be("shut off (saved)");
        counterAfterRestore.Should().Be(1);
        bootsAfterRestore.Should().Be(1, "the guest resumed from its saved RAM instead of booting");
        var log = libvirt.LogLines(name);
        log.Should().Contain(l => l.Ended("release", Outcomes.Ok) && l.Has(Keys.Action, "kept-for-restore") && l.Has(Keys.ShutoffReason, "saved"));
        log.Should().Contain(l => l.Ended("restore", Outcomes.Ok) && l.Has(Keys.Action, "restore-pending"));
        log.Should().Contain(l => l.Ended("prepare", Outcomes.Ok) && l.Has(Keys.Action, "resume-saved"));
        Hash(image).Should().Be(original);
        File.Exists(image + ".stateless-base").Should().BeFalse();
    }

    [Fact]
    public void A_vm_whose_saved_state_was_removed_boots_from_the_base()
    {
        // Arrange
        const string name = "e2e-managedsave-removed";
        var (image, serial) = NewVm(name, """{"disks": [{"target": "hda"}]}""");
        var original = Hash(image);
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(serial) == 1, "the first boot");
        libvirt.Virsh("managedsave", name);
        libvirt.WaitForReleases(name, 1);

        // Act
        libvirt.Virsh("managedsave-remove", name);
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(serial) == 2, "the fresh boot");
        libvirt.Virsh("destroy", name);
        libvirt.WaitForReleases(name, 2);

        // Assert
        TinyGuest.ReadSerial(serial).Should().Equal(new BootRecord(0x80, 0), new BootRecord(0x80, 0));
        libvirt.LogLines(name).Should().Contain(l => l.DiskStep("prepare", "hda", "discarded the overlay of a saved session whose RAM was not restored"));
        Hash(image).Should().Be(original);
    }

    [Fact]
    public void An_external_snapshot_taken_while_the_vm_runs_makes_the_release_change_nothing()
    {
        // Arrange
        const string name = "e2e-external-snapshot";
        var (image, serial) = NewVm(name, """{"disks": [{"target": "hda"}]}""");
        var original = Hash(image);
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(serial) == 1, "the first boot");
        var snapshot = Path.Combine(Path.GetDirectoryName(image)!, "snap.qcow2");
        libvirt.Virsh("snapshot-create-as", "--domain", name, "--disk-only", "--no-metadata", "--atomic", "--diskspec", $"hda,file={snapshot}");
        var overlay = Hash(image);

        // Act
        libvirt.Virsh("destroy", name);
        libvirt.WaitForReleases(name, 1);

        // Assert: the snapshot still has its backing file, the base is intact, and the log says why.
        Hash(image).Should().Be(overlay);
        Hash(image + ".stateless-base").Should().Be(original);
        File.Exists(snapshot).Should().BeTrue();
        libvirt.LogLines(name).Should().Contain(l => l.Ended("release", Outcomes.Error) && l[Keys.Message]!.Contains("an external snapshot or block copy changed the chain, so the hook changed nothing"));
    }

    [Fact]
    public void A_libvirtd_restart_while_the_vm_runs_touches_nothing_and_the_later_stop_reverts()
    {
        // Arrange
        const string name = "e2e-reconnect";
        var (image, serial) = NewVm(name, """{"disks": [{"target": "hda"}]}""");
        var original = Hash(image);
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(serial) == 1, "the first boot");
        var overlay = Hash(image);

        // Act
        libvirt.KillLibvirtd();
        libvirt.StartLibvirtd();
        libvirt.WaitForState(name, "running");
        var overlayAfterReconnect = Hash(image);
        libvirt.Virsh("destroy", name);
        libvirt.WaitForReleases(name, 1);

        // Assert
        overlayAfterReconnect.Should().Be(overlay);
        libvirt.LogLines(name).Should().Contain(l => l.Ended("reconnect", Outcomes.Ok) && l.Has(Keys.Action, "none"));
        TinyGuest.ReadSerial(serial).Should().Equal(new BootRecord(0x80, 0));
        Hash(image).Should().Be(original);
    }

    [Fact]
    public void An_incoming_migration_of_a_vm_with_stateless_disks_is_refused_by_the_installed_hook()
    {
        // Arrange: the destination host's view: libvirtd runs "migrate begin" before prepare.
        const string name = "e2e-migrate";
        NewVm(name, """{"disks": [{"target": "hda"}]}""");
        var xmlFile = Path.Combine(libvirt.Root, name + ".xml");
        File.WriteAllText(xmlFile, libvirt.Virsh("dumpxml", name).StandardOutput);

        // Act
        var result = libvirt.RunHook(libvirt.HookPath, name, "migrate", xmlFile);

        // Assert
        result.ExitCode.Should().Be(1);
        result.StandardError.Should().Contain("has stateless disks (hda); an incoming migration would give the running guest an empty overlay");
        result.StandardOutput.Should().BeEmpty();
    }
}
