namespace LibvirtHook.Stateless;

/// <summary>What a VM's start did to its stateless disks (see <see cref="StatelessDisks.Start"/>).</summary>
internal enum StartResult
{
    /// <summary>libvirt restores saved RAM: the overlays it was saved with are its disks again.</summary>
    ResumedSaved,

    /// <summary>Leftovers of an earlier session undone, then a fresh overlay on every configured disk.</summary>
    Prepared,

    /// <summary>Leftovers undone; the config is gone, so the VM starts on its plain images.</summary>
    ConfigRemoved,
}
