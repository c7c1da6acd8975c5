namespace LibvirtHook.Stateless;

/// <summary>One step on one disk, as the log records it.</summary>
internal sealed record DiskStep
{
    public required string Target { get; init; }

    public required DiskAction Action { get; init; }

    public required string Image { get; init; }

    public string? BaseFormat { get; init; }

    public long? Ms { get; init; }

    /// <summary>After a commit: whether the config's one-shot-commit flag was set back to false.</summary>
    public bool? FlagReset { get; init; }
}
