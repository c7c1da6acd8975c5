using System.Text.Json.Serialization;
using LibvirtHook.Platform;
using LibvirtHook.Tools;

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

    /// <summary>From the config (the admin's word), never from the file's bytes.</summary>
    public required ImageFormat BaseFormat { get; init; }

    // The identities below are null in journals written before the hook recorded them; then the
    // hook checks what it can without them.

    /// <summary>The image's directory when prepare ran: later steps act only inside that very directory.</summary>
    public FileIdentity? Directory { get; init; }

    /// <summary>What the image's name was at prepare (the file, or a symbolic link to it): the only thing release renames back.</summary>
    public FileIdentity? BaseEntry { get; init; }

    /// <summary>The base file itself (the link's target, for an image reached through a symbolic link): the only file a commit writes into.</summary>
    public FileIdentity? BaseFile { get; init; }

    /// <summary>The base's owner and mode before prepare: libvirt leaves a backing file to QEMU's user, release puts these back.</summary>
    public FileOwnership? BaseOwnership { get; init; }

    public required DiskState State { get; init; }

    /// <summary>The disk's one-shot-commit flag when the VM started; used if the config cannot be read at release.</summary>
    public bool CommitRequestedAtStart { get; init; }

    /// <summary>The VM's disk is the overlay now (its session's writes are there), not the base.</summary>
    [JsonIgnore]
    public bool OnOverlay => State is DiskState.Prepared or DiskState.Saved or DiskState.Restoring or DiskState.Committing;

    /// <summary>The size the guest sees, for the overlay prepare creates; not journaled.</summary>
    [JsonIgnore]
    public long VirtualSize { get; init; }

    /// <summary>The image's name was a symbolic link at prepare: the base is reached through it.</summary>
    [JsonIgnore]
    public bool BaseThroughSymlink => BaseEntry is not null && BaseEntry != BaseFile;

    /// <summary>The overlay's second name while release puts the base back; see <see cref="OverlayDiscards"/>.</summary>
    [JsonIgnore]
    public string Discard => OverlayDiscards.NameFor(Image);

    public static string BaseNameFor(string image) => image + ".stateless-base";

    public static string NewOverlayNameFor(string image) => image + ".stateless-new";
}
