using LibvirtHook.Logging;
using LibvirtHook.Platform;
using LibvirtHook.Stateless;
using LibvirtHook.Tests.Support;

namespace LibvirtHook.Tests.Stateless;

/// <summary>
/// Release puts the base back by rename, after giving the overlay a second name that a detached
/// worker removes once libvirt has its answer. Here the worker is a script that only records how
/// it was called, so what the hook itself left behind can be seen.
/// </summary>
public sealed class OverlayDiscardSpecs : IDisposable
{
    private readonly HookSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    /// <summary>A worker that writes its role and argv, one per line, and removes nothing.</summary>
    private (string Program, string Record) RecordingWorker()
    {
        var record = Path.Combine(_sandbox.Root, "worker-called");
        var program = Path.Combine(_sandbox.Root, "recording-worker");
        Executable.Write(program, $"""
            #!/bin/sh
            printf '%s\n' "$LIBVIRT_HOOK_WORKER" "$@" > '{record}.tmp' && mv '{record}.tmp' '{record}'
            """);
        return (program, record);
    }

    private static string[] WaitForRecord(string record)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(record))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The discard worker was never started: \"{record}\" did not appear.");
            Thread.Sleep(20);
        }

        return File.ReadAllLines(record);
    }

    [Fact]
    public void Release_puts_the_base_back_and_hands_the_overlay_to_the_worker_under_its_second_name()
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.qcow2");
        var before = HookSandbox.Hash(image);
        var baseInode = FileSystem.Stat(image).Inode;
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        var xml = HookSandbox.DomainXml("vm", ("vda", image));
        _sandbox.Run("vm", "prepare", xml).ExitCode.Should().Be(0);
        HookSandbox.WritePattern(image, 0x22);
        var overlayInode = FileSystem.Stat(image).Inode;
        var (worker, record) = RecordingWorker();

        // Act
        var (code, stderr) = _sandbox.Run("vm", "release", xml, worker: worker);

        // Assert
        code.Should().Be(0, stderr);
        WaitForRecord(record).Should().Equal("discard", "vm", image + ".stateless-discard");
        FileSystem.Stat(image).Inode.Should().Be(baseInode, "the base was renamed back");
        HookSandbox.Hash(image).Should().Be(before);
        var setAside = FileSystem.Stat(image + ".stateless-discard");
        setAside.Inode.Should().Be(overlayInode, "the second name is the overlay's, and only the worker removes it");
        Directory.GetFiles(_sandbox.Images).Should().BeEquivalentTo([image, image + ".stateless-discard"]);
    }

    [Fact]
    public void Prepare_hands_a_discard_file_a_killed_worker_left_to_the_next_worker_and_starts_the_vm()
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.qcow2");
        File.WriteAllText(image + ".stateless-discard", "an overlay nobody removed");
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        var (worker, record) = RecordingWorker();

        // Act
        var (code, stderr) = _sandbox.Run("vm", "prepare", HookSandbox.DomainXml("vm", ("vda", image)), worker: worker);

        // Assert
        code.Should().Be(0, stderr);
        WaitForRecord(record).Should().Equal("discard", "vm", image + ".stateless-discard");
        new LibvirtHook.Tools.QemuImg(LibvirtHook.Tools.ToolPaths.Default).Info(image, LibvirtHook.Tools.ImageFormat.Qcow2).BackingFilename.Should().Be("vm.qcow2.stateless-base");
    }

    [Fact]
    public void A_release_whose_worker_cannot_start_removes_the_overlay_itself()
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.qcow2");
        var before = HookSandbox.Hash(image);
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        var xml = HookSandbox.DomainXml("vm", ("vda", image));
        _sandbox.Run("vm", "prepare", xml).ExitCode.Should().Be(0);

        // Act
        var (code, stderr) = _sandbox.Run("vm", "release", xml, worker: Path.Combine(_sandbox.Root, "no-such-binary"));

        // Assert
        code.Should().Be(0, stderr);
        HookSandbox.Hash(image).Should().Be(before);
        Directory.GetFiles(_sandbox.Images).Should().BeEquivalentTo([image]);
    }

    [Fact]
    public void The_worker_removes_only_regular_files_named_like_a_discarded_overlay_and_logs_the_rest()
    {
        // Arrange
        var discarded = _sandbox.Image("a.qcow2.stateless-discard");
        File.WriteAllText(discarded, "overlay");
        var image = _sandbox.CreateImage("b.qcow2");
        var directory = Directory.CreateDirectory(_sandbox.Image("c.qcow2.stateless-discard")).FullName;
        var missing = _sandbox.Image("d.qcow2.stateless-discard");
        var log = new HookLog(_sandbox.Paths.LogFile);

        // Act
        var allGone = OverlayDiscards.Remove("vm", [discarded, image, directory, missing, "e.qcow2.stateless-discard"], log);

        // Assert
        allGone.Should().BeFalse();
        File.Exists(discarded).Should().BeFalse();
        File.Exists(image).Should().BeTrue();
        Directory.Exists(directory).Should().BeTrue();
        var warnings = LogLine.ParseAll(File.ReadAllText(_sandbox.Paths.LogFile));
        warnings.Should().HaveCount(3).And.OnlyContain(l => l.Vm == "vm" && l.Op == LogCatalog.DiscardOp);
        warnings.Select(l => l[LogCatalog.Keys.Warning]).Should().Equal(
            $"\"{image}\" is not the name of a discarded overlay (an absolute path ending in \".stateless-discard\"), so it was left alone.",
            $"\"{directory}\" is a directory, not a discarded overlay, so it was left alone: the hook reserves names ending in \".stateless-discard\"; rename it.",
            "\"e.qcow2.stateless-discard\" is not the name of a discarded overlay (an absolute path ending in \".stateless-discard\"), so it was left alone.");
    }

    [Fact]
    public void A_discard_launch_is_read_back_only_for_its_role_with_a_domain_and_files()
    {
        // Act
        var launch = DiscardLaunch.FromProcess("discard", ["vm", "/images/a.stateless-discard", "/images/b.stateless-discard"]);

        // Assert
        launch.Should().NotBeNull();
        launch!.Domain.Should().Be("vm");
        launch.Files.Should().Equal("/images/a.stateless-discard", "/images/b.stateless-discard");
        DiscardLaunch.FromProcess("restart", ["vm", "/images/a.stateless-discard"]).Should().BeNull();
        DiscardLaunch.FromProcess(null, ["vm", "/images/a.stateless-discard"]).Should().BeNull();
        DiscardLaunch.FromProcess("discard", ["vm"]).Should().BeNull();
    }
}
