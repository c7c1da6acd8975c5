namespace LibvirtHook.Config;

internal sealed record DiskConfig
{
    /// <summary>The disk's <c>&lt;target dev=.../&gt;</c> in the domain XML.</summary>
    public required string Target { get; init; }

    /// <summary>Keep this session's changes once: commit at release, then the flag goes back to false.</summary>
    public bool OneShotCommit { get; init; }
}
