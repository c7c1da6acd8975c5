namespace LibvirtHook.Stateless;

/// <summary>
/// A <c>.stateless-base</c> or <c>.stateless-new</c> name beside an image that no journal entry
/// accounts for. The hook only makes those names after journalling them, so one it has no record
/// of is not its own: it may be the real base of the image. Prepare refuses the disk while it is
/// there; validate, enable, check and metrics report it with the same sentence.
/// </summary>
internal sealed record StrayFile
{
    public required string Image { get; init; }

    public required string Path { get; init; }

    /// <summary>The journal that has no record of it.</summary>
    public required string JournalPath { get; init; }

    public string Problem =>
        $"\"{Path}\" exists but the hook has no record of it (was its state in \"{JournalPath}\" lost?); it may be the real base of \"{Image}\": check both, keep the right one at \"{Image}\" and remove \"{Path}\"; until then prepare refuses to start the VM.";

    /// <param name="exists">Whether a name is taken, not following a link (prepare asks through the directory's descriptor).</param>
    public static IReadOnlyList<StrayFile> Find(string image, string journalPath, Func<string, bool> exists) =>
        [.. new[] { JournalEntry.BaseNameFor(image), JournalEntry.NewOverlayNameFor(image) }
            .Where(exists)
            .Select(path => new StrayFile { Image = image, Path = path, JournalPath = journalPath })];
}
