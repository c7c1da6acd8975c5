using LibvirtHook.Admin;
using LibvirtHook.Admin.Monitoring;
using LibvirtHook.Tests.Support;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Admin.Monitoring;

/// <summary>
/// Issue 15: whoever owns an image's directory can put a FIFO where check and metrics expect a
/// file. Opening it for reading would wait for a writer for ever (and the timer would never run
/// them again); they must return, and say what they found.
/// </summary>
public sealed class NonRegularFileSpecs : IDisposable
{
    /// <summary>Far beyond any run here; only a hang reaches it, and then the spec fails instead of blocking the suite.</summary>
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(60);

    private readonly HookSandbox _sandbox = new();
    private readonly List<string> _fifos = [];

    public void Dispose()
    {
        // A reader stuck in open(2) on a FIFO (the defect) is released by a writer's open.
        foreach (var fifo in _fifos)
        {
            var fd = open(fifo, 0x801 /* O_WRONLY | O_NONBLOCK */);
            if (fd >= 0)
                close(fd);
        }

        _sandbox.Dispose();
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int open(string path, int flags);

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int close(int fd);

    private (int Code, string Output) RunWithin(params string[] args)
    {
        var run = Task.Run(() =>
        {
            var (output, error) = (new StringWriter(), new StringWriter());
            var code = new AdminCli(_sandbox.Paths, ToolPaths.Default with { Virsh = "/bin/false" }, output, error).Run(args);
            return (code, output.ToString() + error);
        });
        run.Wait(HangLimit).Should().BeTrue($"libvirt-hook {string.Join(' ', args)} must not wait for ever on a FIFO");
        return run.Result;
    }

    private string MakeFifo(string path)
    {
        ProcessRunner.Run("mkfifo", [path]);
        _fifos.Add(path);
        return path;
    }

    /// <summary>A VM running on its overlay, as prepare leaves it: the journal names the image.</summary>
    private string RunningVm()
    {
        var image = _sandbox.CreateImage("kiosk.qcow2");
        _sandbox.WriteConfig("kiosk", """{"disks": [{"target": "vda"}]}""");
        _sandbox.Run("kiosk", "prepare", HookSandbox.DomainXml("kiosk", ("vda", image))).ExitCode.Should().Be(0);
        return image;
    }

    [Fact]
    public void A_fifo_at_the_image_path_is_a_critical_finding_and_check_and_metrics_return()
    {
        // Arrange
        var image = RunningVm();
        File.Delete(image);
        MakeFifo(image);

        // Act
        var check = RunWithin("check");
        var metrics = RunWithin("metrics");

        // Assert
        check.Code.Should().Be((int)CheckState.Critical);
        check.Output.Split('\n').Should().Contain(
            $"CRITICAL: \"kiosk\" disk vda: image \"{image}\" is a FIFO, not a regular file; prepare refuses to start the VM on it: put the disk's image back.");
        metrics.Code.Should().Be(0);
        metrics.Output.Should().Contain("libvirt_hook_disk_not_regular_files{vm=\"kiosk\",disk=\"vda\"} 1\n");
    }

    [Fact]
    public void A_fifo_at_the_discard_name_is_a_critical_finding_and_check_and_metrics_return()
    {
        // Arrange
        var image = RunningVm();
        var discard = MakeFifo(image + ".stateless-discard");

        // Act
        var check = RunWithin("check");
        var metrics = RunWithin("metrics");

        // Assert
        check.Code.Should().Be((int)CheckState.Critical);
        check.Output.Split('\n').Should().Contain(l => l.StartsWith($"CRITICAL: \"kiosk\" disk vda: \"{discard}\" is not a regular file (a FIFO, a socket or a character device), not an overlay the hook threw away", StringComparison.Ordinal));
        metrics.Output.Should().Contain("libvirt_hook_disk_not_regular_files{vm=\"kiosk\",disk=\"vda\"} 1\n");
        metrics.Output.Should().Contain("libvirt_hook_disk_discard_leftover_bytes{vm=\"kiosk\",disk=\"vda\"} 0\n");
    }

    [Fact]
    public void A_symlink_to_a_fifo_at_the_image_path_is_reported_the_same_way()
    {
        // Arrange: images may be reached through links; the link is followed, the FIFO is not read.
        var image = RunningVm();
        var fifo = MakeFifo(_sandbox.Image("elsewhere.fifo"));
        File.Delete(image);
        File.CreateSymbolicLink(image, fifo);

        // Act
        var check = RunWithin("check");

        // Assert
        check.Output.Split('\n').Should().Contain(l => l.StartsWith($"CRITICAL: \"kiosk\" disk vda: image \"{image}\" is a FIFO", StringComparison.Ordinal));
    }
}
