namespace LibvirtHook.Stateless;

/// <summary>What <see cref="StatelessDisks.Start"/> did, and for how many disks.</summary>
internal sealed record StartOutcome
{
    public static StartOutcome ResumedSaved { get; } = new() { Result = StartResult.ResumedSaved };

    public static StartOutcome ConfigRemoved { get; } = new() { Result = StartResult.ConfigRemoved };

    public required StartResult Result { get; init; }

    /// <summary>Disks given a fresh overlay.</summary>
    public int Disks { get; init; }

    public static StartOutcome Prepared(int disks) => new() { Result = StartResult.Prepared, Disks = disks };
}
