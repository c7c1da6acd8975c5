namespace LibvirtHook.Stateless;

/// <summary>
/// Where a stateless disk is in its life. Each state is written to the journal durably before
/// the file operation it announces, so recovery only has to read the state to finish or undo.
/// </summary>
internal enum DiskState
{
    /// <summary>The base gets a second name, then an overlay replaces the image's name.</summary>
    Preparing,

    /// <summary>The overlay is at the image's path; the base is at <see cref="JournalEntry.Base"/>.</summary>
    Prepared,

    /// <summary>The VM was saved with its RAM: the overlay is its disk and must survive until the restore.</summary>
    Saved,

    /// <summary>libvirt announced a restore of the saved RAM (the restore hook ran): the next prepare resumes on the overlay.</summary>
    Restoring,

    /// <summary>The overlay is being written into the base. Never discard it until the commit ran to the end.</summary>
    Committing,
}
