namespace LibvirtHook.Hook;

/// <summary>Where release learnt the shut-off reason; the log says it, so a wrong decision can be traced.</summary>
internal enum ReasonSource
{
    /// <summary>libvirt 10.5 and later pass it as release's last argument.</summary>
    Argument,

    /// <summary>libvirt before 10.5 writes "shutting down, reason=..." to the domain's log just before.</summary>
    DomainLog,

    /// <summary>Neither: the restart worker asks libvirt once the domain is off.</summary>
    None,
}
