namespace LibvirtHook.Domain;

/// <summary>
/// Why libvirt stopped a domain. <see cref="NotKnownYet"/> is ours: nobody has told us (libvirt
/// before 10.5 passes "-" to release and may not have logged it); <see cref="Unknown"/> is
/// libvirt's own answer "unknown", a reason like any other.
/// </summary>
public enum ShutoffReason
{
    NotKnownYet,
    Unknown,
    Shutdown,
    Destroyed,
    Crashed,
    Migrated,
    Saved,
    Failed,
    FromSnapshot,
    Daemon,
}
