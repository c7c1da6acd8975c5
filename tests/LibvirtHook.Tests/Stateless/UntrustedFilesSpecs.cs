using LibvirtHook.Platform;
using LibvirtHook.Tests.Support;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Stateless;

/// <summary>
/// The files of a stateless disk are written by others: the guest chooses the disk's bytes,
/// QEMU's user the overlay's header, the image directory's owner every name in it. None of them
/// may choose what the hook opens, writes, renames or chowns. Real images, real qemu-img.
/// </summary>
public sealed class UntrustedFilesSpecs : IDisposable
{
    private readonly HookSandbox _sandbox = new();
    private readonly string _victim;

    public UntrustedFilesSpecs()
    {
        _victim = Path.Combine(_sandbox.Root, "victim");
        File.WriteAllText(_victim, "root's own bytes");
        File.SetUnixFileMode(_victim, (UnixFileMode)0b110_000_000);
    }

    [Fact]
    public void A_raw_base_without_base_format_is_refused_and_the_message_says_how_to_name_it()
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.img", format: "raw");
        var before = HookSandbox.Hash(image);
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");

        // Act
        var (code, stderr) = _sandbox.Run("vm", "prepare", HookSandbox.DomainXml("vm", ("vda", image)));

        // Assert
        code.Should().Be(1);
        stderr.Should().Contain("cannot be opened as qcow2").And.Contain("set \"base-format\": \"raw\" for disk \"vda\"");
        HookSandbox.Hash(image).Should().Be(before);
        Directory.GetFiles(_sandbox.Images).Should().Equal(image);
    }

    [Fact]
    public void A_raw_base_whose_bytes_are_a_qcow2_header_naming_a_host_file_stays_raw()
    {
        // Arrange: what a guest's one-shot commit leaves in a raw base: its sector 0 is a qcow2
        // header whose backing file is the victim.
        var image = _sandbox.Image("vm.img");
        ProcessRunner.Run("qemu-img", ["create", "-q", "-f", "qcow2", "-F", "raw", "-b", _victim, image, "1M"]);
        var before = HookSandbox.Hash(image);
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda", "base-format": "raw"}]}""");
        var xml = HookSandbox.DomainXml("vm", ("vda", image));

        // Act
        var prepared = _sandbox.Run("vm", "prepare", xml);
        var overlay = new QemuImg(ToolPaths.Default).Info(image, ImageFormat.Qcow2, shared: true);
        var released = _sandbox.Run("vm", "release", xml);

        // Assert
        prepared.ExitCode.Should().Be(0, prepared.Stderr);
        overlay.BackingFormat.Should().Be("raw");
        overlay.BackingFilename.Should().Be("vm.img.stateless-base");
        released.ExitCode.Should().Be(0, released.Stderr);
        HookSandbox.Hash(image).Should().Be(before);
        File.ReadAllText(_victim).Should().Be("root's own bytes");
    }

    public static TheoryData<string> Tampers => ["backing file", "backing format", "data file", "not qcow2", "truncated"];

    [Theory]
    [MemberData(nameof(Tampers))]
    public void An_overlay_whose_header_was_rewritten_is_not_committed_and_the_next_start_boots_from_the_base(string tamper)
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.qcow2", pattern: 0x11);
        var before = HookSandbox.Hash(image);
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda", "one-shot-commit": true}]}""");
        var xml = HookSandbox.DomainXml("vm", ("vda", image));
        _sandbox.Run("vm", "prepare", xml).ExitCode.Should().Be(0);
        HookSandbox.WritePattern(image, 0x22);
        Tamper(image, tamper);

        // Act
        var released = _sandbox.Run("vm", "release", xml);
        var restarted = _sandbox.Run("vm", "prepare", xml);

        // Assert
        released.ExitCode.Should().Be(1);
        released.Stderr.Should().Contain("Disk \"vda\" was not committed").And.Contain("Nothing was written to the base");
        File.ReadAllText(_sandbox.Paths.LogFile).Should().Contain("op=release outcome=error");
        File.ReadAllText(_victim).Should().Be("root's own bytes");
        File.GetUnixFileMode(_victim).Should().Be((UnixFileMode)0b110_000_000);
        restarted.ExitCode.Should().Be(0, restarted.Stderr);
        HookSandbox.Hash(image + ".stateless-base").Should().Be(before);
        HookSandbox.ReadPattern(image).Should().Be(0x11);
    }

    [Fact]
    public void A_base_swapped_for_a_symlink_while_the_vm_ran_is_neither_committed_into_nor_renamed_back()
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.qcow2", pattern: 0x11);
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda", "one-shot-commit": true}]}""");
        var xml = HookSandbox.DomainXml("vm", ("vda", image));
        _sandbox.Run("vm", "prepare", xml).ExitCode.Should().Be(0);
        HookSandbox.WritePattern(image, 0x22);
        var baseName = image + ".stateless-base";
        File.Move(baseName, image + ".moved-away");
        File.CreateSymbolicLink(baseName, _victim);

        // Act
        var released = _sandbox.Run("vm", "release", xml);

        // Assert
        released.ExitCode.Should().Be(1);
        released.Stderr.Should().Contain("is no longer the base prepare set aside");
        File.ReadAllText(_victim).Should().Be("root's own bytes");
        FileSystem.Stat(image).Kind.Should().Be(FileKind.Regular, "the overlay stays where it was, the symbolic link is not renamed over it");
        new QemuImg(ToolPaths.Default).Info(image, ImageFormat.Qcow2, shared: true).BackingFilename.Should().Be("vm.qcow2.stateless-base");
    }

    [Fact]
    public void A_directory_replaced_while_the_vm_ran_is_left_alone_and_the_admin_is_told()
    {
        // Arrange: the directory's owner moves the real one away and puts another in its place.
        var image = _sandbox.CreateImage("vm.qcow2");
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        var xml = HookSandbox.DomainXml("vm", ("vda", image));
        _sandbox.Run("vm", "prepare", xml).ExitCode.Should().Be(0);
        var moved = _sandbox.Images + ".moved";
        Directory.Move(_sandbox.Images, moved);
        Directory.CreateDirectory(_sandbox.Images);
        File.CreateSymbolicLink(image + ".stateless-base", _victim);
        File.WriteAllText(image, "a file the owner made");

        // Act
        var released = _sandbox.Run("vm", "release", xml);

        // Assert
        released.ExitCode.Should().Be(1);
        released.Stderr.Should().Contain($"\"{_sandbox.Images}\" is not the directory the hook prepared the disk in");
        File.ReadAllText(image).Should().Be("a file the owner made");
        FileSystem.Stat(image + ".stateless-base").Kind.Should().Be(FileKind.SymbolicLink);
        File.ReadAllText(_victim).Should().Be("root's own bytes");
        Directory.GetFiles(moved).Select(Path.GetFileName).Should().BeEquivalentTo(["vm.qcow2", "vm.qcow2.stateless-base"]);
    }

    [Fact]
    public void Release_gives_the_base_back_the_owner_and_mode_it_had_before_prepare()
    {
        // Arrange: libvirt hands a backing file to QEMU's user for the run and never gives it back.
        var image = _sandbox.CreateImage("vm.qcow2");
        File.SetUnixFileMode(image, (UnixFileMode)0b110_000_000);
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        var xml = HookSandbox.DomainXml("vm", ("vda", image));
        _sandbox.Run("vm", "prepare", xml).ExitCode.Should().Be(0);
        Native.Chown(image + ".stateless-base", 64055, 64055).Should().Be(0);
        File.SetUnixFileMode(image + ".stateless-base", (UnixFileMode)0b110_110_100);

        // Act
        var released = _sandbox.Run("vm", "release", xml);

        // Assert
        released.ExitCode.Should().Be(0, released.Stderr);
        var status = FileSystem.Stat(image);
        (status.Owner, status.Group, status.Permissions).Should().Be((0u, 0u, 0b110_000_000));
    }

    [Fact]
    public void A_disk_that_fails_its_commit_check_does_not_keep_the_other_disks_on_their_overlays()
    {
        // Arrange
        var first = _sandbox.CreateImage("a.qcow2", pattern: 0x11);
        var second = _sandbox.CreateImage("b.qcow2", pattern: 0x11);
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda", "one-shot-commit": true}, {"target": "vdb", "one-shot-commit": true}]}""");
        var xml = HookSandbox.DomainXml("vm", ("vda", first), ("vdb", second));
        _sandbox.Run("vm", "prepare", xml).ExitCode.Should().Be(0);
        HookSandbox.WritePattern(first, 0x22);
        HookSandbox.WritePattern(second, 0x33);
        Tamper(first, "backing file");

        // Act
        var released = _sandbox.Run("vm", "release", xml);

        // Assert
        released.ExitCode.Should().Be(1);
        released.Stderr.Should().Contain("Disk \"vda\" was not committed");
        File.Exists(second + ".stateless-base").Should().BeFalse();
        HookSandbox.ReadPattern(second).Should().Be(0x33, "the second disk's session was committed");
        File.Exists(first + ".stateless-base").Should().BeTrue("the first disk was left as it was");
        File.ReadAllText(_sandbox.Paths.JournalFile("vm")).Should().Contain("\"vda\"").And.NotContain("\"vdb\"");
    }

    [Theory]
    [InlineData("symlink to a root file")]
    [InlineData("dangling symlink")]
    [InlineData("fifo")]
    [InlineData("directory")]
    public void A_name_the_hook_reserves_taken_before_prepare_is_refused_and_nothing_is_followed(string kind)
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.qcow2");
        var before = HookSandbox.Hash(image);
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        var planted = image + ".stateless-new";
        var absent = Path.Combine(_sandbox.Root, "never-created");
        Plant(planted, kind, absent);

        // Act
        var (code, stderr) = _sandbox.Run("vm", "prepare", HookSandbox.DomainXml("vm", ("vda", image)));

        // Assert
        code.Should().Be(1);
        stderr.Should().Contain(planted);
        HookSandbox.Hash(image).Should().Be(before);
        File.ReadAllText(_victim).Should().Be("root's own bytes");
        File.Exists(absent).Should().BeFalse();
    }

    [Fact]
    public void A_symlink_planted_at_the_discard_name_is_replaced_not_followed()
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.qcow2");
        var before = HookSandbox.Hash(image);
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        var xml = HookSandbox.DomainXml("vm", ("vda", image));
        _sandbox.Run("vm", "prepare", xml).ExitCode.Should().Be(0);
        File.CreateSymbolicLink(image + ".stateless-discard", _victim);

        // Act
        var released = _sandbox.Run("vm", "release", xml);

        // Assert
        released.ExitCode.Should().Be(0, released.Stderr);
        HookSandbox.Hash(image).Should().Be(before);
        File.ReadAllText(_victim).Should().Be("root's own bytes");
        File.Exists(image + ".stateless-discard").Should().BeFalse();
    }

    private void Tamper(string overlay, string how)
    {
        switch (how)
        {
            case "backing file":
                ProcessRunner.Run("qemu-img", ["rebase", "-q", "-u", "-f", "qcow2", "-F", "raw", "-b", _victim, overlay]);
                break;
            case "backing format":
                ProcessRunner.Run("qemu-img", ["rebase", "-q", "-u", "-f", "qcow2", "-F", "raw", "-b", Path.GetFileName(overlay) + ".stateless-base", overlay]);
                break;
            case "data file":
                // The overlay's own content replaced by an image that keeps its data in the victim.
                var scratch = Path.Combine(Path.GetDirectoryName(overlay)!, "with-data-file.qcow2");
                ProcessRunner.Run("qemu-img", ["create", "-q", "-f", "qcow2", "-o", $"data_file={scratch}.data", "-F", "qcow2", "-b", Path.GetFileName(overlay) + ".stateless-base", "-u", scratch, "1M"]);
                ProcessRunner.Run("qemu-img", ["amend", "-q", "-f", "qcow2", "-o", $"data_file={_victim}", scratch]);
                File.WriteAllBytes(overlay, File.ReadAllBytes(scratch));
                break;
            case "not qcow2":
                using (var stream = new FileStream(overlay, FileMode.Open, FileAccess.Write))
                    stream.Write("RAW!"u8);
                break;
            case "truncated":
                using (var stream = new FileStream(overlay, FileMode.Open, FileAccess.Write))
                    stream.SetLength(50);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(how), how, null);
        }
    }

    private void Plant(string path, string kind, string absent)
    {
        switch (kind)
        {
            case "symlink to a root file":
                File.CreateSymbolicLink(path, _victim);
                break;
            case "dangling symlink":
                File.CreateSymbolicLink(path, absent);
                break;
            case "fifo":
                ProcessRunner.Run("mkfifo", [path]);
                break;
            case "directory":
                Directory.CreateDirectory(path);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    public void Dispose() => _sandbox.Dispose();
}
