using System.Diagnostics;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Tools;

public sealed class ProcessRunnerSpecs
{
    [Fact]
    public void A_failure_carries_program_arguments_exit_code_and_stderr_as_data()
    {
        var act = () => ProcessRunner.Run("qemu-img", ["info", "/nonexistent/image.qcow2"]);

        var failure = act.Should().Throw<ToolException>().Which;
        failure.Reason.Should().Be(ToolFailure.ExitedNonZero);
        failure.Program.Should().Be("qemu-img");
        failure.Arguments.Should().Equal("info", "/nonexistent/image.qcow2");
        failure.ExitCode.Should().Be(1);
        failure.StandardError.Should().Contain("Could not open '/nonexistent/image.qcow2'");
        failure.Limit.Should().BeNull();
        failure.Message.Should().StartWith("\"qemu-img info /nonexistent/image.qcow2\" failed with exit code 1: qemu-img: Could not open");
    }

    [Fact]
    public void The_child_gets_an_empty_stdin_not_the_hooks_own()
    {
        // cat would wait forever on an inherited terminal or on libvirt's domain XML pipe.
        var result = ProcessRunner.Run("cat", [], TimeSpan.FromSeconds(10));

        result.ExitCode.Should().Be(0);
        result.StandardOutput.Should().BeEmpty();
    }

    [Fact]
    public void A_program_that_ignores_the_interrupt_is_killed_soon_after_its_limit_and_the_message_names_the_limit()
    {
        // Arrange: like qemu-img stuck on a dead NFS server, it does not stop on SIGINT.
        var watch = Stopwatch.StartNew();

        // Act
        var act = () => ProcessRunner.Run("sh", ["-c", "trap '' INT; sleep 60"], TimeSpan.FromMilliseconds(300));

        // Assert
        var failure = act.Should().Throw<ToolException>().Which;
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30));
        failure.Reason.Should().Be(ToolFailure.TimedOut);
        failure.Limit.Should().Be(TimeSpan.FromMilliseconds(300));
        failure.ExitCode.Should().BeNull();
        failure.Message.Should().Contain("did not finish within its limit of 0.3 s and was killed");
    }

    [Fact]
    public void A_missing_program_says_so()
    {
        var act = () => ProcessRunner.Run("/nonexistent/qemu-img", ["info"]);

        act.Should().Throw<ToolException>().WithMessage("Cannot run \"/nonexistent/qemu-img\": *Is it installed and on PATH?")
            .Which.Reason.Should().Be(ToolFailure.CouldNotStart);
    }

    [Fact]
    public void A_lock_conflict_is_recognised_from_qemu_imgs_words_only()
    {
        var locked = Failure("/srv/vm.qcow2", "qemu-img: Could not open '/srv/vm.qcow2': Failed to get shared \"write\" lock\nIs another process using the image [/srv/vm.qcow2]?\n");
        var brokenInLockedDirectory = Failure("/srv/blockstore/Failed to get \"write\" lock/vm.qcow2", "qemu-img: Could not open '/srv/blockstore/Failed to get \"write\" lock/vm.qcow2': Unsupported qcow2 version 99\n");

        QemuImg.IsLockedByAnotherProcess(locked, "/srv/vm.qcow2").Should().BeTrue();
        QemuImg.IsLockedByAnotherProcess(brokenInLockedDirectory, "/srv/blockstore/Failed to get \"write\" lock/vm.qcow2").Should().BeFalse();
    }

    private static ToolException Failure(string image, string stderr) => ToolException.Failed("qemu-img", ["info", image], 1, stderr);
}
