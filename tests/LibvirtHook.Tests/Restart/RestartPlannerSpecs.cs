using LibvirtHook.Config;
using LibvirtHook.Restart;

namespace LibvirtHook.Tests.Restart;

public sealed class RestartPlannerSpecs
{
    private static readonly RestartPolicy Defaults = new();

    [Theory]
    [InlineData("shutdown", true)]
    [InlineData("crashed", true)]
    [InlineData("destroyed", false)]
    [InlineData("failed", false)]
    [InlineData("saved", false)]
    [InlineData("migrated", false)]
    [InlineData("unknown", true)]
    public void The_default_policy_restarts_after_shutdown_and_crashed_only(string reason, bool restart)
    {
        RestartPlanner.ForReason(Defaults, reason).Restart.Should().Be(restart);
    }

    [Fact]
    public void No_restart_section_means_no_restart_whatever_the_reason()
    {
        RestartPlanner.ForReason(null, "shutdown").Should().Be(RestartDecision.No("the config has no \"restart\" section"));
    }

    [Fact]
    public void Saved_and_migrated_never_restart_even_if_listed()
    {
        var policy = new RestartPolicy { On = ["saved", "migrated", "shutdown"] };

        RestartPlanner.ForReason(policy, "saved").Restart.Should().BeFalse();
        RestartPlanner.ForReason(policy, "migrated").Restart.Should().BeFalse();
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

    [Theory]
    [InlineData("shut off (shutdown)\n", "shut off", "shutdown")]
    [InlineData("shut off (destroyed)", "shut off", "destroyed")]
    [InlineData("running (booted)", "running", "booted")]
    [InlineData("shut off (from snapshot)", "shut off", "from-snapshot")]
    [InlineData("shut off", "shut off", "unknown")]
    public void ParseDomState_reads_state_and_reason(string output, string state, string reason)
    {
        RestartPlanner.ParseDomState(output).Should().Be((state, reason));
    }
}
