using System.Text.Json.Serialization;

namespace LibvirtHook.Stateless;

internal sealed record JournalEntry
{
    public required string Target { get; init; }

    /// <summary>The path in the domain XML: the overlay while the VM runs, the base again afterwards.</summary>
    public required string Image { get; init; }

    /// <summary>The base's name while the overlay is at <see cref="Image"/>. Same directory, so relative backing paths keep working.</summary>
    public required string Base { get; init; }

    /// <summary>Where the overlay is built before it atomically takes the image's name.</summary>
    public required string NewOverlay { get; init; }

    public required string BaseFormat { get; init; }

    public required DiskState State { get; init; }

    /// <summary>The disk's one-shot-commit flag when the VM started; used if the config cannot be read at release.</summary>
    public bool CommitRequestedAtStart { get; init; }

    /// <summary>The VM's disk is the overlay now (its session's writes are there), not the base.</summary>
    [JsonIgnore]
    public bool OnOverlay => State is DiskState.Prepared or DiskState.Saved or DiskState.Restoring or DiskState.Committing;

    /// <summary>The overlay's second name while release puts the base back; see <see cref="OverlayDiscards"/>.</summary>
    [JsonIgnore]
    public string Discard => OverlayDiscards.NameFor(Image);

    public static string BaseNameFor(string image) => image + ".stateless-base";

    public static string NewOverlayNameFor(string image) => image + ".stateless-new";
}
