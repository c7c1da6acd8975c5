using LibvirtHook.Tests.Support;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Stateless;

/// <summary>The hook's stateless-disk cycle on real images made and inspected with the real qemu-img.</summary>
public sealed class PrepareAndReleaseSpecs : IDisposable
{
    private readonly HookSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    /// <summary>VM "vm" with one qcow2 disk, prepared, whose guest then wrote <paramref name="pattern"/>.</summary>
    private (string Image, string Before, string Xml) RunningVm(byte pattern, string config = """{"disks": [{"target": "vda"}]}""")
    {
        var image = _sandbox.CreateImage("vm.qcow2");
        var before = HookSandbox.Hash(image);
        _sandbox.WriteConfig("vm", config);
        var xml = HookSandbox.DomainXml("vm", ("vda", image));
        _sandbox.Run("vm", "prepare", xml).ExitCode.Should().Be(0);
        HookSandbox.WritePattern(image, pattern);
        return (image, before, xml);
    }

    [Fact]
    public void Prepare_puts_an_empty_overlay_backed_by_the_base_at_the_image_path()
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.qcow2");
        var before = HookSandbox.Hash(image);
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda", "one-shot-commit": false}]}""");

        // Act
        var (code, stderr) = _sandbox.Run("vm", "prepare", HookSandbox.DomainXml("vm", ("vda", image)));

        // Assert
        code.Should().Be(0, stderr);
        var info = new QemuImg(ToolPaths.Default).Info(image, LibvirtHook.Tools.ImageFormat.Qcow2);
        info.Format.Should().Be("qcow2");
        info.BackingFilename.Should().Be("vm.qcow2.stateless-base");
        info.BackingFormat.Should().Be("qcow2");
        HookSandbox.Hash(image + ".stateless-base").Should().Be(before);
        HookSandbox.ReadPattern(image).Should().Be(0xB0);
    }

    [Fact]
    public void Release_puts_back_the_base_byte_identical_and_leaves_no_other_file()
    {
        // Arrange
        var (image, before, xml) = RunningVm(0x11);

        // Act
        var (code, stderr) = _sandbox.Run("vm", "release", xml);

        // Assert
        code.Should().Be(0, stderr);
        HookSandbox.Hash(image).Should().Be(before);
        Directory.GetFiles(_sandbox.Images).Should().BeEquivalentTo([image]);
        File.Exists(_sandbox.Paths.JournalFile("vm")).Should().BeFalse();
    }

    [Fact]
    public void Release_commits_once_when_asked_and_sets_the_flag_back_to_false_keeping_the_rest_of_the_file()
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.qcow2");
        var other = _sandbox.CreateImage("data.qcow2");
        _sandbox.WriteConfig("vm", """
            {"disks": [{"target": "vda", "one-shot-commit": true}, {"target": "vdb", "one-shot-commit": false}],
             "restart": {"on": ["shutdown"]}}
            """);
        var configPath = _sandbox.Paths.ConfigFile("vm");
        File.SetUnixFileMode(configPath, (UnixFileMode)0b110_100_000);
        var xml = HookSandbox.DomainXml("vm", ("vda", image), ("vdb", other));
        _sandbox.Run("vm", "prepare", xml).ExitCode.Should().Be(0);
        HookSandbox.WritePattern(image, 0x22);

        // Act
        var (code, stderr) = _sandbox.Run("vm", "release", xml);

        // Assert
        code.Should().Be(0, stderr);
        HookSandbox.ReadPattern(image).Should().Be(0x22);
        new QemuImg(ToolPaths.Default).Info(image, LibvirtHook.Tools.ImageFormat.Qcow2).BackingFilename.Should().BeNull();
        var config = LibvirtHook.Config.ConfigParser.Parse(File.ReadAllText(configPath), configPath);
        config.Disks.Select(d => (d.Target, d.OneShotCommit)).Should().Equal(("vda", false), ("vdb", false));
        config.Restart!.On.Should().Equal(LibvirtHook.Domain.ShutoffReason.Shutdown);
        File.GetUnixFileMode(configPath).Should().Be((UnixFileMode)0b110_100_000);
        Directory.GetFiles(_sandbox.Paths.ConfigDirectory).Should().ContainSingle();
    }

    [Fact]
    public void A_raw_base_gets_a_qcow2_overlay_that_names_raw_as_its_backing_format()
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.img", format: "raw");
        var before = HookSandbox.Hash(image);
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda", "base-format": "raw"}]}""");
        var xml = HookSandbox.DomainXml("vm", ("vda", image));

        // Act
        var prepared = _sandbox.Run("vm", "prepare", xml);
        var info = new QemuImg(ToolPaths.Default).Info(image, LibvirtHook.Tools.ImageFormat.Qcow2);
        HookSandbox.WritePattern(image, 0x33);
        var released = _sandbox.Run("vm", "release", xml);

        // Assert
        prepared.ExitCode.Should().Be(0, prepared.Stderr);
        released.ExitCode.Should().Be(0, released.Stderr);
        info.BackingFormat.Should().Be("raw");
        HookSandbox.Hash(image).Should().Be(before);
    }

    [Fact]
    public void A_base_that_is_itself_a_thin_clone_with_a_relative_backing_path_keeps_working()
    {
        // Arrange
        var golden = _sandbox.CreateImage("golden.qcow2", pattern: 0x44);
        var goldenBefore = HookSandbox.Hash(golden);
        var clone = _sandbox.Image("clone.qcow2");
        ProcessRunner.Run("qemu-img", ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", "golden.qcow2", clone]);
        var cloneBefore = HookSandbox.Hash(clone);
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        var xml = HookSandbox.DomainXml("vm", ("vda", clone));

        // Act
        _sandbox.Run("vm", "prepare", xml).ExitCode.Should().Be(0);
        var seen = HookSandbox.ReadPattern(clone);
        HookSandbox.WritePattern(clone, 0x55);
        _sandbox.Run("vm", "release", xml).ExitCode.Should().Be(0);

        // Assert
        seen.Should().Be(0x44);
        HookSandbox.Hash(golden).Should().Be(goldenBefore);
        HookSandbox.Hash(clone).Should().Be(cloneBefore);
        HookSandbox.ReadPattern(clone).Should().Be(0x44);
    }

    [Fact]
    public void Release_reverts_what_prepare_did_even_if_the_config_was_removed_meanwhile()
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.qcow2");
        var before = HookSandbox.Hash(image);
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        var xml = HookSandbox.DomainXml("vm", ("vda", image));
        _sandbox.Run("vm", "prepare", xml).ExitCode.Should().Be(0);
        File.Delete(_sandbox.Paths.ConfigFile("vm"));

        // Act
        var (code, stderr) = _sandbox.Run("vm", "release", xml);

        // Assert
        code.Should().Be(0, stderr);
        HookSandbox.Hash(image).Should().Be(before);
        Directory.GetFiles(_sandbox.Images).Should().BeEquivalentTo([image]);
    }

    [Fact]
    public void Release_uses_the_flag_the_vm_started_with_when_the_config_became_unreadable()
    {
        // Arrange
        var (image, _, xml) = RunningVm(0x66, """{"disks": [{"target": "vda", "one-shot-commit": true}]}""");
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda", "one-shot-commit": tru""");

        // Act
        var (code, stderr) = _sandbox.Run("vm", "release", xml);

        // Assert
        code.Should().Be(0, stderr);
        HookSandbox.ReadPattern(image).Should().Be(0x66);
        File.ReadAllText(_sandbox.Paths.LogFile).Should().Contain("Using the one-shot-commit flags the VM started with");
    }

    [Fact]
    public void A_saved_vm_keeps_its_overlay_through_the_restore_and_reverts_after_its_next_normal_stop()
    {
        // Arrange
        var (image, before, xml) = RunningVm(0x77);

        // Act
        _sandbox.Run("vm", "release", xml, extra: "saved").ExitCode.Should().Be(0);
        var afterSave = HookSandbox.ReadPattern(image);
        _sandbox.Run("vm", "restore", xml).ExitCode.Should().Be(0);
        _sandbox.Run("vm", "prepare", xml).ExitCode.Should().Be(0);
        var afterRestore = HookSandbox.ReadPattern(image);
        _sandbox.Run("vm", "release", xml, extra: "shutdown").ExitCode.Should().Be(0);

        // Assert
        afterSave.Should().Be(0x77);
        afterRestore.Should().Be(0x77);
        HookSandbox.Hash(image).Should().Be(before);
    }

    [Fact]
    public void A_saved_vm_started_without_a_restore_boots_from_the_base()
    {
        // Arrange: saved, then the saved RAM was removed (virsh managedsave-remove): no restore hook.
        var (image, before, xml) = RunningVm(0x79);
        _sandbox.Run("vm", "release", xml, extra: "saved").ExitCode.Should().Be(0);

        // Act
        var prepared = _sandbox.Run("vm", "prepare", xml);

        // Assert
        prepared.ExitCode.Should().Be(0, prepared.Stderr);
        HookSandbox.ReadPattern(image).Should().Be(0xB0);
        HookSandbox.Hash(image + ".stateless-base").Should().Be(before);
        File.ReadAllText(_sandbox.Paths.LogFile).Should().Contain("discarded the overlay of a saved session whose RAM was not restored");
    }

    [Fact]
    public void A_failed_restore_keeps_the_saved_overlay_for_the_next_try()
    {
        // Arrange
        var (image, _, xml) = RunningVm(0x7A);
        _sandbox.Run("vm", "release", xml, extra: "saved").ExitCode.Should().Be(0);
        _sandbox.Run("vm", "restore", xml).ExitCode.Should().Be(0);

        // Act: the restore fails before prepare; libvirt releases with reason failed, then tries again.
        _sandbox.Run("vm", "release", xml, extra: "failed").ExitCode.Should().Be(0);
        var afterFailure = HookSandbox.ReadPattern(image);
        _sandbox.Run("vm", "restore", xml).ExitCode.Should().Be(0);
        _sandbox.Run("vm", "prepare", xml).ExitCode.Should().Be(0);

        // Assert
        afterFailure.Should().Be(0x7A);
        HookSandbox.ReadPattern(image).Should().Be(0x7A);
    }

    [Fact]
    public void A_disk_moved_onto_another_file_meanwhile_is_left_alone_at_release_and_at_the_next_start()
    {
        // Arrange: an external snapshot put snap.qcow2 on top of the overlay, and the XML follows it.
        var image = _sandbox.CreateImage("vm.qcow2");
        var before = HookSandbox.Hash(image);
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        _sandbox.Run("vm", "prepare", HookSandbox.DomainXml("vm", ("vda", image))).ExitCode.Should().Be(0);
        var snapshot = _sandbox.Image("snap.qcow2");
        ProcessRunner.Run("qemu-img", ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", "vm.qcow2", snapshot]);
        var moved = HookSandbox.DomainXml("vm", ("vda", snapshot));
        var files = Directory.GetFiles(_sandbox.Images).ToDictionary(f => f, HookSandbox.Hash);

        // Act
        var released = _sandbox.Run("vm", "release", moved);
        var prepared = _sandbox.Run("vm", "prepare", moved);

        // Assert
        released.ExitCode.Should().Be(1);
        released.Stderr.Should().Contain("now uses \"" + snapshot + "\", but the hook put its overlay at \"" + image + "\"").And.Contain("changed nothing");
        prepared.ExitCode.Should().Be(1);
        Directory.GetFiles(_sandbox.Images).ToDictionary(f => f, HookSandbox.Hash).Should().Equal(files);
        HookSandbox.Hash(image + ".stateless-base").Should().Be(before);
    }

    [Fact]
    public void Release_reads_the_shutoff_reason_from_the_domain_log_on_libvirt_before_10_5()
    {
        // Arrange
        var (image, _, xml) = RunningVm(0x78);
        File.WriteAllText(_sandbox.Paths.DomainLogFile("vm"), "2026-11-21 10:00:00.000+0000: shutting down, reason=shutdown\n2026-11-21 10:05:00.000+0000: shutting down, reason=saved\n");
        // What backs the log's claim: libvirt's managed-save image (root's, written before QEMU stops).
        File.WriteAllText(_sandbox.Paths.ManagedSaveFile("vm"), "LibvirtQemudSave");

        // Act
        var (code, _) = _sandbox.Run("vm", "release", xml, extra: "-");

        // Assert
        code.Should().Be(0);
        HookSandbox.ReadPattern(image).Should().Be(0x78);
        File.ReadAllText(_sandbox.Paths.LogFile).Should().Contain("action=kept-for-restore shutoff-reason=saved");
    }
}
