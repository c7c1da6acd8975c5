using LibvirtHook.Config;
using LibvirtHook.Domain;
using LibvirtHook.Restart;

namespace LibvirtHook.Tests.Restart;

public sealed class RestartPlannerSpecs
{
    private static readonly RestartPolicy Defaults = new();

    [Theory]
    [InlineData(ShutoffReason.Shutdown, true)]
    [InlineData(ShutoffReason.Crashed, true)]
    [InlineData(ShutoffReason.Destroyed, false)]
    [InlineData(ShutoffReason.Failed, false)]
    [InlineData(ShutoffReason.Saved, false)]
    [InlineData(ShutoffReason.Migrated, false)]
    [InlineData(ShutoffReason.Unknown, false)]
    public void The_default_policy_restarts_after_shutdown_and_crashed_only(ShutoffReason reason, bool restart)
    {
        RestartPlanner.ForReason(Defaults, reason).Restart.Should().Be(restart);
    }

    [Fact]
    public void Libvirts_own_reason_unknown_restarts_only_when_restart_on_lists_it()
    {
        var shutdownOnly = new RestartPolicy { On = [ShutoffReason.Shutdown] };
        var withUnknown = new RestartPolicy { On = [ShutoffReason.Unknown] };

        RestartPlanner.ForReason(shutdownOnly, ShutoffReason.Unknown).Should().Be(RestartDecision.No("reason \"unknown\" is not in restart.on [shutdown]"));
        RestartPlanner.ForReason(withUnknown, ShutoffReason.Unknown).Restart.Should().BeTrue();
    }

    [Fact]
    public void At_release_a_reason_not_known_yet_is_left_to_the_worker_but_the_worker_never_restarts_for_it()
    {
        RestartPlanner.AtRelease(Defaults, ShutoffReason.NotKnownYet).Restart.Should().BeTrue();
        RestartPlanner.AtRelease(null, ShutoffReason.NotKnownYet).Restart.Should().BeFalse();
        RestartPlanner.ForReason(Defaults, ShutoffReason.NotKnownYet).Should().Be(RestartDecision.No("libvirt did not say why the VM stopped, so it is not restarted"));
    }

    [Fact]
    public void No_restart_section_means_no_restart_whatever_the_reason()
    {
        RestartPlanner.ForReason(null, ShutoffReason.Shutdown).Should().Be(RestartDecision.No("the config has no \"restart\" section"));
    }

    [Fact]
    public void Saved_and_migrated_never_restart_even_if_listed()
    {
        var policy = new RestartPolicy { On = [ShutoffReason.Saved, ShutoffReason.Migrated, ShutoffReason.Shutdown] };

        RestartPlanner.ForReason(policy, ShutoffReason.Saved).Restart.Should().BeFalse();
        RestartPlanner.ForReason(policy, ShutoffReason.Migrated).Restart.Should().BeFalse();
        RestartPlanner.AtRelease(policy, ShutoffReason.Saved).Restart.Should().BeFalse();
    }

    [Fact]
    public void The_crash_loop_guard_allows_max_restarts_within_the_window_and_then_gives_up_saying_why()
    {
        // Arrange
        var policy = new RestartPolicy { MaxRestarts = 3, WindowSeconds = 60 };
        var now = DateTimeOffset.Parse("2026-11-21T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var twoRecent = new[] { now.AddSeconds(-10), now.AddSeconds(-20), now.AddSeconds(-61) };
        var threeRecent = new[] { now.AddSeconds(-10), now.AddSeconds(-20), now.AddSeconds(-30) };

        // Act
        var allowed = RestartPlanner.ForHistory(policy, twoRecent, now);
        var refused = RestartPlanner.ForHistory(policy, threeRecent, now);

        // Assert
        allowed.Should().Be(RestartDecision.Yes("restart 3 of at most 3 in 60 s"));
        refused.Restart.Should().BeFalse();
        refused.Why.Should().Contain("crash-loop guard: 3 restarts in the last 60 s already (max-restarts 3)");
    }
}
