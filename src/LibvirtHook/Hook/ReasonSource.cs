namespace LibvirtHook.Hook;

/// <summary>Where release learnt the shut-off reason; the log says it, so a wrong decision can be traced.</summary>
internal enum ReasonSource
{
    /// <summary>libvirt 10.5 and later pass it as release's last argument.</summary>
    Argument,

    /// <summary>libvirt before 10.5 writes "shutting down, reason=..." to the domain's log just before.</summary>
    DomainLog,

    /// <summary>
    /// The domain log claimed a reason libvirt's own files do not back (<c>saved</c> without a
    /// managed-save image). QEMU writes that log too, so the claim is ignored: as <see cref="None"/>.
    /// </summary>
    DomainLogNotBelieved,

    /// <summary>
    /// libvirt before 10.5, and its managed-save image for the domain exists while the domain log
    /// claims another reason: the image is libvirt's (root's) evidence, the log line may be QEMU's.
    /// </summary>
    ManagedSaveImage,

    /// <summary>Neither: the restart worker asks libvirt once the domain is off.</summary>
    None,
}
