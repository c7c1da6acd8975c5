using LibvirtHook.Domain;
using LibvirtHook.Refresh;
using LibvirtHook.Restart;
using LibvirtHook.Tests.Support;

namespace LibvirtHook.Tests.Refresh;

/// <summary>
/// The refresh marker and how the restart feature honours it: the release hook schedules no
/// worker, and a worker already pending does not start the VM, while a live refresh holds it;
/// a marker left by a refresh that died is honoured by nobody and taken over by the next one.
/// </summary>
public sealed class RefreshHandoffSpecs : IDisposable
{
    private const string Uuid = "8d3c6a2e-0000-4000-8000-000000000001";

    private readonly HookSandbox _sandbox = new();

    public RefreshHandoffSpecs() => Directory.CreateDirectory(_sandbox.Paths.StateDirectory);

    public void Dispose() => _sandbox.Dispose();

    private string Marker => _sandbox.Paths.RefreshFile("kiosk");

    [Fact]
    public void While_refresh_holds_the_marker_it_names_the_pid_a_second_refresh_cannot_take_it_and_afterwards_it_is_gone()
    {
        RefreshMarker.HeldBy(Marker).Should().BeNull("there is no marker yet");

        using (var marker = RefreshMarker.TryTake(Marker))
        {
            marker.Should().NotBeNull();
            RefreshMarker.HeldBy(Marker).Should().Be($"libvirt-hook refresh (pid {Environment.ProcessId}) stops and starts it itself");
            RefreshMarker.TryTake(Marker).Should().BeNull("flock locks belong to the open file, so a second take conflicts even in this process");
            LibvirtHook.Platform.FileSystem.Stat(Marker).Permissions.Should().Be(0b110_000_000);
        }

        File.Exists(Marker).Should().BeFalse();
        RefreshMarker.HeldBy(Marker).Should().BeNull();
    }

    [Fact]
    public void A_marker_left_by_a_refresh_that_died_is_not_honoured_and_the_next_refresh_takes_it_over()
    {
        // Arrange: the file a killed refresh leaves behind; the kernel dropped its lock.
        File.WriteAllText(Marker, "pid=4242 since=2026-12-01T03:00:00.0000000+00:00\n");

        // Act
        var heldBefore = RefreshMarker.HeldBy(Marker);
        using var marker = RefreshMarker.TryTake(Marker);

        // Assert
        heldBefore.Should().BeNull();
        marker.Should().NotBeNull();
        File.ReadAllText(Marker).Should().StartWith($"pid={Environment.ProcessId} ");
    }

    [Fact]
    public void A_symlink_at_the_marker_path_is_refused_and_its_target_untouched()
    {
        var target = Path.Combine(_sandbox.Root, "target");
        File.WriteAllText(target, "keep");
        File.CreateSymbolicLink(Marker, target);

        var take = () => RefreshMarker.TryTake(Marker);

        take.Should().Throw<IOException>().WithMessage($"Cannot open the refresh marker \"{Marker}\": *");
        RefreshMarker.HeldBy(Marker).Should().BeNull();
        File.ReadAllText(target).Should().Be("keep");
    }

    [Fact]
    public void The_release_hook_schedules_no_restart_worker_for_a_stop_that_refresh_asked_for()
    {
        using var marker = RefreshMarker.TryTake(Marker);

        var handoff = RestartScheduler.Schedule(_sandbox.Paths, null, "kiosk", Uuid, new LibvirtHook.Config.RestartPolicy(), ShutoffReason.Shutdown);

        handoff.Should().NotBeNull();
        handoff!.WorkerPid.Should().BeNull();
        handoff.Decision.Should().Be(RestartDecision.No($"libvirt-hook refresh (pid {Environment.ProcessId}) stops and starts it itself"));
    }

    [Fact]
    public void A_restart_worker_already_pending_when_refresh_began_does_not_start_the_vm_or_count_a_restart()
    {
        // Arrange
        _sandbox.WriteConfig("kiosk", """{"restart": {"on": ["shutdown"]}}""");
        var virsh = new FakeVirsh(_sandbox.Root)
            .On(["domstate", "--reason", "--domain", Uuid], VirshAnswer.Prints("shut off (shutdown)"))
            .On(["start", "--domain", Uuid], VirshAnswer.Prints("Domain started"));
        using var marker = RefreshMarker.TryTake(Marker);

        // Act
        new RestartWorker(_sandbox.Paths, virsh.Tools with { Systemctl = "/bin/false" })
            .Run(new WorkerLaunch { Domain = "kiosk", Uuid = Uuid, ReasonAtRelease = ShutoffReason.Shutdown });

        // Assert
        File.ReadAllLines(_sandbox.Paths.LogFile).Should().ContainSingle(l => l.Contains("op=restart", StringComparison.Ordinal))
            .Which.Should().Contain($"outcome=not-started reason=shutdown").And.Contain($"why=\"libvirt-hook refresh (pid {Environment.ProcessId}) stops and starts it itself\"");
        virsh.Lines.Should().NotContain(c => c.Contains(" start ", StringComparison.Ordinal));
        new RestartHistory(_sandbox.Paths.RestartHistoryFile("kiosk")).Load().Should().BeEmpty();
    }
}
