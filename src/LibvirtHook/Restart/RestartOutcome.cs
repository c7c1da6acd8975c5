using LibvirtHook.Domain;

namespace LibvirtHook.Restart;

/// <summary>What the restart worker decided, why, and how long each part took: its one log line.</summary>
internal sealed record RestartOutcome
{
    public required RestartResult Result { get; init; }

    /// <summary>The decision in words, or the error's message.</summary>
    public required string Why { get; init; }

    public ShutoffReason? Reason { get; init; }

    public long? WaitedMs { get; init; }

    public int? DelaySeconds { get; init; }

    public long? StartMs { get; init; }

    public long? TotalMs { get; init; }
}
