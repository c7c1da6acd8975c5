using LibvirtHook.Domain;

namespace LibvirtHook.Refresh;

/// <summary>The decisions of refresh, free of I/O so they can be tested alone.</summary>
internal static class RefreshPlanner
{
    /// <summary>A held VM is left alone unless forced; a VM that is off stays off (even held and forced).</summary>
    public static RefreshStep Plan(DomainState state, bool held, bool force) =>
        state.IsShutOff ? RefreshStep.LeaveOff
        : held && !force ? RefreshStep.LeaveHeld
        : RefreshStep.StopAndStart;

    /// <summary>How long to wait before touching the next VM so that its start comes at least <paramref name="stagger"/> after the last one.</summary>
    public static TimeSpan WaitBeforeNext(DateTimeOffset? lastStart, DateTimeOffset now, TimeSpan stagger) =>
        lastStart is { } last && last + stagger > now ? last + stagger - now : TimeSpan.Zero;
}
