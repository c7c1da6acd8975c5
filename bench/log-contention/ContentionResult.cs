namespace LogContention;

/// <summary>What one writer kind did to one shared file.</summary>
internal sealed record ContentionResult
{
    public required int Expected { get; init; }

    /// <summary>Lines found whole, each (process, sequence) counted once.</summary>
    public required int Found { get; init; }

    public required int Lost { get; init; }

    /// <summary>Lines in the file that do not parse whole (interleaved, cut or overwritten).</summary>
    public required int Torn { get; init; }

    /// <summary>From the common start moment until the last writer exited.</summary>
    public required TimeSpan Elapsed { get; init; }
}
