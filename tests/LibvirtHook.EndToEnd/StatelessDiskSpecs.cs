using LibvirtHook.EndToEnd.Support;
using static LibvirtHook.Logging.LogCatalog;
using LibvirtHook.Tools;

namespace LibvirtHook.EndToEnd;

/// <summary>Issue 2's acceptance, on a real libvirtd with the AOT hook and the tiny guest.</summary>
[Collection(PrivateLibvirtCollection.Name)]
public sealed class StatelessDiskSpecs(PrivateLibvirt libvirt) : IDisposable
{
    private readonly TestVms _vms = new(libvirt);

    public void Dispose() => _vms.Dispose();

    /// <summary>Starts the domain and waits until the guest has powered itself off and the hook has released it.</summary>
    private void PowerCycle(string name, int cycle)
    {
        libvirt.Virsh("start", name);
        libvirt.WaitForReleases(name, cycle);
        libvirt.WaitForState(name, "shut off");
    }

    private static string Hash(string path) => TestVms.Hash(path);

    [Fact]
    public void Five_power_cycles_each_boot_from_the_base_and_leave_it_byte_identical()
    {
        // Arrange
        const string name = "e2e-five-cycles";
        var (_, directory, image, serial) = _vms.Create(name, GuestEnding.PowerOff, """{"disks": [{"target": "hda", "one-shot-commit": false}]}""");
        var original = Hash(image);

        // Act & Assert
        for (var cycle = 1; cycle <= 5; cycle++)
        {
            PowerCycle(name, cycle);
            TinyGuest.ReadSerial(serial).Should().HaveCount(cycle).And.AllSatisfy(b => b.Should().Be(new BootRecord(0x80, 0)));
            Hash(image).Should().Be(original, $"the base must be untouched after cycle {cycle}");
            TestVms.SettledFileNames(directory).Should().BeEquivalentTo(["disk.qcow2", "serial.log"]);
        }
    }

    [Fact]
    public void One_shot_commit_keeps_one_session_resets_the_flag_and_later_cycles_revert_to_it()
    {
        // Arrange
        const string name = "e2e-one-shot";
        var (_, _, image, serial) = _vms.Create(name, GuestEnding.PowerOff, """{"disks": [{"target": "hda", "one-shot-commit": true}], "restart": {"on": ["crashed"]}}""");

        // Act
        PowerCycle(name, 1);
        var counterAfterCommit = TinyGuest.ReadCounter(image);
        var committed = Hash(image);
        var config = LibvirtHook.Config.ConfigParser.Parse(File.ReadAllText(libvirt.ConfigPath(name)), name);
        PowerCycle(name, 2);
        PowerCycle(name, 3);

        // Assert
        counterAfterCommit.Should().Be(1);
        config.Disks.Single().OneShotCommit.Should().BeFalse();
        config.Restart!.On.Should().Equal(LibvirtHook.Domain.ShutoffReason.Crashed);
        TinyGuest.ReadSerial(serial).Select(b => b.Seen).Should().Equal(0u, 1u, 1u);
        Hash(image).Should().Be(committed);
        libvirt.LogLines(name).Should().Contain(l => l.DiskStep("release", "hda", "committed") && l.Has(Keys.OneShotCommit, "reset-to-false"));
    }

    [Fact]
    public void A_raw_base_works_and_stays_byte_identical()
    {
        // Arrange
        const string name = "e2e-raw-base";
        var (_, _, image, serial) = _vms.Create(name, GuestEnding.PowerOff, """{"disks": [{"target": "hda", "base-format": "raw"}]}""", diskFile: "disk.img", format: "raw");
        var original = Hash(image);

        // Act
        PowerCycle(name, 1);
        PowerCycle(name, 2);

        // Assert
        TinyGuest.ReadSerial(serial).Should().Equal(new BootRecord(0x80, 0), new BootRecord(0x80, 0));
        Hash(image).Should().Be(original);
        libvirt.LogLines(name).Should().Contain(l => l.DiskStep("prepare", "hda", "overlay") && l.Has(Keys.Image, image) && l.Has(Keys.BaseFormat, "raw"));
    }

    [Fact]
    public void A_base_that_is_a_thin_clone_of_a_golden_image_by_relative_path_works()
    {
        // Arrange
        const string name = "e2e-thin-clone";
        var (_, directory, golden, serial) = _vms.Prepare(name, GuestEnding.PowerOff, diskFile: "golden.qcow2");
        var clone = Path.Combine(directory, "clone.qcow2");
        ProcessRunner.Run("qemu-img", ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", "golden.qcow2", clone]);
        var (goldenHash, cloneHash) = (Hash(golden), Hash(clone));
        libvirt.WriteConfig(name, """{"disks": [{"target": "hda"}]}""");
        libvirt.Define(TinyGuest.DomainXml(name, serial, ("hda", clone)));

        // Act
        PowerCycle(name, 1);
        PowerCycle(name, 2);

        // Assert
        TinyGuest.ReadSerial(serial).Should().Equal(new BootRecord(0x80, 0), new BootRecord(0x80, 0));
        Hash(golden).Should().Be(goldenHash);
        Hash(clone).Should().Be(cloneHash);
    }

    [Fact]
    public void Only_the_configured_disk_is_stateless_the_other_keeps_its_writes()
    {
        // Arrange
        const string name = "e2e-two-disks";
        var (_, directory, system, serial) = _vms.Create(name, GuestEnding.PowerOff, """{"disks": [{"target": "hda", "one-shot-commit": false}]}""", extraDisks: ("hdb", "data.qcow2"));
        var data = Path.Combine(directory, "data.qcow2");
        var systemHash = Hash(system);

        // Act
        for (var cycle = 1; cycle <= 3; cycle++)
            PowerCycle(name, cycle);

        // Assert
        var boots = TinyGuest.ReadSerial(serial);
        boots.Where(b => b.Drive == 0x80).Select(b => b.Seen).Should().Equal(0u, 0u, 0u);
        boots.Where(b => b.Drive == 0x81).Select(b => b.Seen).Should().Equal(0u, 1u, 2u);
        TinyGuest.ReadCounter(data).Should().Be(3);
        Hash(system).Should().Be(systemHash);
    }

    [Theory]
    [InlineData("""{"disks": [{"target": "hda", "one-shot-comit": true}]}""", "did you mean \"one-shot-commit\"")]
    [InlineData("""{"disks": [{"target": "vdq"}]}""", "has no disk with <target dev='vdq'/>")]
    [InlineData("""{"disks": [{"target": "hda", "one-shot-commit": "yes"}]}""", "one-shot-commit must be true or false")]
    [InlineData("""{"disks": [{"target": "hda"}""", "is not valid JSON")]
    [InlineData("""{"disks": [{"target": "hdc"}]}""", "only a file-backed device='disk' can be stateless")]
    public void A_broken_config_stops_the_start_with_a_message_that_names_the_problem_and_touches_no_file(string json, string expected)
    {
        // Arrange
        const string name = "e2e-broken-config";
        var (_, directory, image, serial) = _vms.Prepare(name, GuestEnding.PowerOff);
        libvirt.WriteConfig(name, json);
        var xml = TinyGuest.DomainXml(name, serial, ("hda", image)).Replace("<serial ", """
            <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>
                <serial 
            """);
        libvirt.Define(xml);
        var before = Directory.GetFiles(directory).ToDictionary(f => f, Hash);
        var configBefore = Hash(libvirt.ConfigPath(name));

        // Act
        var result = libvirt.VirshUnchecked("start", name);

        // Assert
        result.ExitCode.Should().NotBe(0);
        result.StandardError.Should().Contain(expected);
        libvirt.DomainState(name).Should().Be("shut off");
        libvirt.WaitForReleases(name, 1);
        Directory.GetFiles(directory).ToDictionary(f => f, Hash).Should().Equal(before);
        Hash(libvirt.ConfigPath(name)).Should().Be(configBefore);
        TinyGuest.ReadSerial(serial).Should().BeEmpty();
    }

    [Fact]
    public void After_libvirtd_and_qemu_are_killed_the_next_start_boots_from_the_intact_base()
    {
        // Arrange
        const string name = "e2e-recovery";
        var (_, directory, image, serial) = _vms.Create(name, GuestEnding.Halt, """{"disks": [{"target": "hda"}]}""");
        var original = Hash(image);
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(serial) == 1, "the guest's first boot");
        var qemu = libvirt.QemuPid(name);

        // Act: a crash of the whole stack while the guest runs on its overlay.
        libvirt.KillLibvirtd();
        libvirt.Kill(qemu);
        libvirt.StartLibvirtd();
        libvirt.WaitForState(name, "shut off");
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(serial) == 2, "the guest's second boot");
        libvirt.Virsh("destroy", name);
        libvirt.WaitForState(name, "shut off");
        PrivateLibvirt.WaitFor(() => !File.Exists(image + ".stateless-base"), "the release hook to put the base back");

        // Assert
        TinyGuest.ReadSerial(serial).Should().Equal(new BootRecord(0x80, 0), new BootRecord(0x80, 0));
        Hash(image).Should().Be(original);
        TestVms.SettledFileNames(directory).Should().BeEquivalentTo(["disk.qcow2", "serial.log"]);
    }

    [Fact]
    public void An_unmanaged_vm_starts_and_stops_normally_and_the_hook_leaves_no_trace()
    {
        // Arrange
        const string name = "e2e-unmanaged";
        var (_, directory, _, serial) = _vms.Create(name, GuestEnding.PowerOff, config: null);

        // Act
        libvirt.Virsh("start", name);
        libvirt.WaitForState(name, "shut off");
        libvirt.Virsh("start", name);
        libvirt.WaitForState(name, "shut off");
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(serial) == 2, "two boots");

        // Assert: the guest's own writes stay, since nothing made the disk stateless.
        TinyGuest.ReadSerial(serial).Select(b => b.Seen).Should().Equal(0u, 1u);
        libvirt.ReadHooksLog().Should().NotContain(name);
        (Directory.Exists(libvirt.StateDirectory) ? Directory.GetFiles(libvirt.StateDirectory) : []).Should().NotContain(f => f.Contains(name));
        TestVms.SettledFileNames(directory).Should().BeEquivalentTo(["disk.qcow2", "serial.log"]);
    }

    [Theory]
    [InlineData("e2e my vm")]
    [InlineData("e2e it's \"quoted\"")]
    [InlineData("e2e $(touch pwned)")]
    [InlineData("e2e;touch pwned")]
    [InlineData("e2e `touch pwned`")]
    [InlineData("-e2e-leading-dash")]
    [InlineData("e2e-ünïcødé-вм")]
    [InlineData("20261122")]
    public void A_vm_with_a_hostile_name_gets_its_stateless_cycle_and_nothing_is_run(string name)
    {
        // Arrange
        var (_, directory, image, serial) = _vms.Create(name, GuestEnding.PowerOff, """{"disks": [{"target": "hda"}]}""");
        var original = Hash(image);

        // Act: --domain, so virsh itself never takes a leading dash for an option.
        libvirt.Virsh("start", "--domain", name);
        libvirt.WaitForReleases(name, 1);
        libvirt.WaitForState(name, "shut off");

        // Assert
        TinyGuest.ReadSerial(serial).Should().Equal(new BootRecord(0x80, 0));
        Hash(image).Should().Be(original);
        TestVms.SettledFileNames(directory).Should().BeEquivalentTo(["disk.qcow2", "serial.log"]);
        libvirt.LogLines(name).Should().Contain(l => l.Ended("prepare", Outcomes.Ok) && l.Has(Keys.Action, "prepared") && l.Has(Keys.Disks, "1"));
        foreach (var place in new[] { "/", libvirt.PathInside("/"), libvirt.Root, Path.Combine(libvirt.Root, "lib"), Environment.CurrentDirectory })
            Directory.GetFiles(place, "pwned*").Should().BeEmpty();
    }

    [Fact]
    public void The_hook_never_writes_to_stdout()
    {
        // Arrange
        const string name = "e2e-stdout";
        var (_, directory, image, serial) = _vms.Prepare(name, GuestEnding.PowerOff);
        var xmlFile = Path.Combine(directory, "domain.xml");
        File.WriteAllText(xmlFile, TinyGuest.DomainXml(name, serial, ("hda", image)));

        // Act: the installed binary, run the way libvirtd runs it, for a managed, a broken and an unmanaged VM.
        string Run(string domain, string op) =>
            libvirt.InNamespaceUnchecked("sh", "-c", "exec \"$0\" \"$1\" \"$2\" begin - < \"$3\"", "/etc/libvirt/hooks/qemu", domain, op, xmlFile).StandardOutput;
        libvirt.WriteConfig(name, """{"disks": [{"target": "hda"}]}""");
        var managed = Run(name, "prepare") + Run(name, "restore") + Run(name, "release");
        libvirt.WriteConfig(name, """{"disks": [{"target": "nope"}]}""");
        var broken = Run(name, "prepare");
        var unmanaged = Run("e2e-nobody", "prepare");

        // Assert
        (managed + broken + unmanaged).Should().BeEmpty();
        libvirt.LogLines(name).Should().Contain(l => l.Ended("prepare", Outcomes.Ok)).And.Contain(l => l.Ended("prepare", Outcomes.Error));
    }
}
