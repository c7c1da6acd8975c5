namespace LibvirtHook.Admin.Inventory;

/// <summary>An <c>&lt;image&gt;.stateless-discard</c> file older than <see cref="Grace"/>: its worker was killed or could not unlink it.</summary>
internal sealed record LeftoverDiscard
{
    /// <summary>The worker removes the file within milliseconds of the release; one still there after this is not in progress.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    public required string Path { get; init; }

    /// <summary>What removing it frees.</summary>
    public required long AllocatedBytes { get; init; }

    /// <summary>When it got its name (its ctime).</summary>
    public required DateTimeOffset Since { get; init; }
}
