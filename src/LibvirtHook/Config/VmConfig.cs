namespace LibvirtHook.Config;

/// <summary>The per-VM file <c>/etc/libvirt/hooks/config/&lt;domain&gt;.json</c>.</summary>
internal sealed record VmConfig
{
    /// <summary>The file it was read from: error messages name it, so the admin knows what to edit.</summary>
    public required string Source { get; init; }

    public required IReadOnlyList<DiskConfig> Disks { get; init; }

    /// <summary>Null when the file has no <c>restart</c> key: the VM is never restarted.</summary>
    public RestartPolicy? Restart { get; init; }

    public DiskConfig? FindDisk(string target) => Disks.FirstOrDefault(d => d.Target == target);
}
