namespace LibvirtHook.Admin.Monitoring;

/// <summary>When <c>check</c> says WARNING about space.</summary>
internal sealed record CheckThresholds
{
    /// <summary>An overlay larger than this share of its disk's virtual size: the guest rewrote much of its disk in one session.</summary>
    public int OverlayWarnPercent { get; init; } = 50;

    /// <summary>A filesystem holding stateless images with less free space than this: overlays grow until their VM stops.</summary>
    public int FreeWarnPercent { get; init; } = 10;
}
