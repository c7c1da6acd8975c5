using LibvirtHook.Platform;
using LibvirtHook.Stateless;
using LibvirtHook.Tests.Support;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Stateless;

/// <summary>
/// Each test leaves the files and journal exactly as a crash at one step would, then checks
/// that the next prepare recovers without help and without losing the base.
/// </summary>
public sealed class RecoverySpecs : IDisposable
{
    private readonly HookSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private JournalEntry Entry(string image, DiskState state, bool commit = false) => new()
    {
        Target = "vda",
        Image = image,
        Base = JournalEntry.BaseNameFor(image),
        NewOverlay = JournalEntry.NewOverlayNameFor(image),
        BaseFormat = LibvirtHook.Tools.ImageFormat.Qcow2,
        State = state,
        CommitRequestedAtStart = commit,
    };

    private void WriteJournal(JournalEntry entry) =>
        new JournalStore(_sandbox.Paths.JournalFile("vm")).Save(new Journal { Domain = "vm", Uuid = "u", Disks = [entry] });

    [Fact]
    public void Prepare_recovers_from_a_crash_after_the_base_got_its_second_name()
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.qcow2");
        var before = HookSandbox.Hash(image);
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        var entry = Entry(image, DiskState.Preparing);
        WriteJournal(entry);
        FileSystem.HardLink(image, entry.Base);

        // Act
        var (code, stderr) = _sandbox.Run("vm", "prepare", HookSandbox.DomainXml("vm", ("vda", image)));

        // Assert
        code.Should().Be(0, stderr);
        HookSandbox.Hash(entry.Base).Should().Be(before);
        new QemuImg(ToolPaths.Default).Info(image, LibvirtHook.Tools.ImageFormat.Qcow2).BackingFilename.Should().Be("vm.qcow2.stateless-base");
    }

    [Fact]
    public void Prepare_recovers_from_a_crash_while_the_new_overlay_was_being_created()
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.qcow2");
        var before = HookSandbox.Hash(image);
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        var entry = Entry(image, DiskState.Preparing);
        WriteJournal(entry);
        FileSystem.HardLink(image, entry.Base);
        File.WriteAllBytes(entry.NewOverlay, new byte[100]);

        // Act
        var (code, stderr) = _sandbox.Run("vm", "prepare", HookSandbox.DomainXml("vm", ("vda", image)));
        var release = _sandbox.Run("vm", "release", HookSandbox.DomainXml("vm", ("vda", image)));

        // Assert
        code.Should().Be(0, stderr);
        release.ExitCode.Should().Be(0, release.Stderr);
        HookSandbox.Hash(image).Should().Be(before);
        Directory.GetFiles(_sandbox.Images).Should().BeEquivalentTo([image]);
    }

    [Fact]
    public void Prepare_discards_the_stale_overlay_of_a_vm_that_never_got_its_release()
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.qcow2");
        var before = HookSandbox.Hash(image);
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        var xml = HookSandbox.DomainXml("vm", ("vda", image));
        _sandbox.Run("vm", "prepare", xml).ExitCode.Should().Be(0);
        HookSandbox.WritePattern(image, 0x11);

        // Act: host crash, so no release; the next start prepares again.
        var (code, stderr) = _sandbox.Run("vm", "prepare", xml);

        // Assert
        code.Should().Be(0, stderr);
        HookSandbox.ReadPattern(image).Should().Be(0xB0);
        HookSandbox.Hash(image + ".stateless-base").Should().Be(before);
        File.ReadAllText(_sandbox.Paths.LogFile).Should().Contain("discarded stale overlay from an unclean stop");
    }

    [Fact]
    public void Prepare_finishes_a_commit_that_was_under_way_instead_of_throwing_it_away()
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.qcow2");
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda", "one-shot-commit": true}]}""");
        var xml = HookSandbox.DomainXml("vm", ("vda", image));
        _sandbox.Run("vm", "prepare", xml).ExitCode.Should().Be(0);
        HookSandbox.WritePattern(image, 0x22);
        WriteJournal(Entry(image, DiskState.Committing, commit: true)); // killed during qemu-img commit

        // Act
        var (code, stderr) = _sandbox.Run("vm", "prepare", xml);

        // Assert
        code.Should().Be(0, stderr);
        HookSandbox.ReadPattern(image + ".stateless-base").Should().Be(0x22);
        HookSandbox.ReadPattern(image).Should().Be(0x22);
        File.ReadAllText(_sandbox.Paths.ConfigFile("vm")).Should().Contain("false").And.NotContain("true");
    }

    [Fact]
    public void A_failed_prepare_puts_back_the_disks_it_had_already_done()
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.qcow2");
        var data = _sandbox.CreateImage("data.qcow2");
        var before = HookSandbox.Hash(image);
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}, {"target": "vdb"}]}""");
        var xml = HookSandbox.DomainXml("vm", ("vda", image), ("vdb", data));
        // A qemu-img that fails to create the second overlay, as a full disk would make it.
        var failing = _sandbox.Image("failing-qemu-img");
        Executable.Write(failing, "#!/bin/sh\ncase \"$*\" in *create*data.qcow2*) echo 'No space left on device' >&2; exit 1;; esac\nexec qemu-img \"$@\"\n");

        // Act
        var (code, stderr) = _sandbox.Run("vm", "prepare", xml, tools: ToolPaths.Default with { QemuImg = failing });
        var release = _sandbox.Run("vm", "release", xml);

        // Assert
        code.Should().Be(1);
        stderr.Should().Contain("No space left on device");
        File.Delete(failing);
        Directory.GetFiles(_sandbox.Images).Should().BeEquivalentTo([image, data]);
        release.ExitCode.Should().Be(0);
        HookSandbox.Hash(image).Should().Be(before);
        File.Exists(JournalEntry.BaseNameFor(image)).Should().BeFalse();
        File.Exists(_sandbox.Paths.JournalFile("vm")).Should().BeFalse();
    }
}
