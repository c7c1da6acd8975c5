using LibvirtHook.Domain;
using LibvirtHook.Refresh;

namespace LibvirtHook.Tests.Refresh;

public sealed class RefreshPlannerSpecs
{
    private static readonly DomainState Running = DomainState.Parse("running (booted)");
    private static readonly DomainState Paused = DomainState.Parse("paused (user)");
    private static readonly DomainState Off = DomainState.Parse("shut off (destroyed)");

    [Fact]
    public void A_running_or_paused_vm_is_stopped_and_started_a_held_one_only_when_forced_and_one_that_is_off_never()
    {
        RefreshPlanner.Plan(Running, held: false, force: false).Should().Be(RefreshStep.StopAndStart);
        RefreshPlanner.Plan(Paused, held: false, force: false).Should().Be(RefreshStep.StopAndStart);
        RefreshPlanner.Plan(Running, held: true, force: false).Should().Be(RefreshStep.LeaveHeld);
        RefreshPlanner.Plan(Running, held: true, force: true).Should().Be(RefreshStep.StopAndStart);
        RefreshPlanner.Plan(Off, held: false, force: false).Should().Be(RefreshStep.LeaveOff);
        RefreshPlanner.Plan(Off, held: true, force: true).Should().Be(RefreshStep.LeaveOff);
    }

    [Fact]
    public void The_next_vm_waits_until_the_stagger_has_passed_since_the_last_start_and_not_at_all_without_one()
    {
        var start = new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);
        var stagger = TimeSpan.FromSeconds(30);

        RefreshPlanner.WaitBeforeNext(null, start, stagger).Should().Be(TimeSpan.Zero);
        RefreshPlanner.WaitBeforeNext(start, start.AddSeconds(10), stagger).Should().Be(TimeSpan.FromSeconds(20));
        RefreshPlanner.WaitBeforeNext(start, start.AddSeconds(45), stagger).Should().Be(TimeSpan.Zero);
        RefreshPlanner.WaitBeforeNext(start, start, TimeSpan.Zero).Should().Be(TimeSpan.Zero);
    }
}
