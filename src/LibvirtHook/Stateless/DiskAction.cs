namespace LibvirtHook.Stateless;

/// <summary>What happened to one disk; the log's words for each are in <see cref="Logging.LogCatalog"/>.</summary>
internal enum DiskAction
{
    Overlay,
    DiscardedOverlay,
    RevertedToCommittedBase,
    RolledBack,
    DiscardedStaleOverlay,
    DiscardedUnrestoredSave,
    Committed,
    KeptForRestore,
    ResumedSavedOverlay,
}
