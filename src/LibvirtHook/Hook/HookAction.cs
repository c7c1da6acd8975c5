namespace LibvirtHook.Hook;

/// <summary>What a hook call did as a whole; the log names each in <see cref="Logging.LogCatalog"/>.</summary>
internal enum HookAction
{
    None,
    Prepared,
    ResumedSaved,
    KeptForRestore,
    Released,
    RestorePending,
}
