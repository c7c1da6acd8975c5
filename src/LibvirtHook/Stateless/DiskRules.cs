using LibvirtHook.Config;
using LibvirtHook.Domain;
using LibvirtHook.Platform;

namespace LibvirtHook.Stateless;

/// <summary>What a configured disk must be to run stateless; shared by prepare and <c>libvirt-hook validate</c>.</summary>
internal static class DiskRules
{
    /// <returns>The image path of the disk.</returns>
    /// <exception cref="StatelessDiskException">The disk cannot be stateless; the message says why and what to do.</exception>
    public static string ImageOf(DomainDescription domain, VmConfig config, DiskConfig disk)
    {
        var configPath = config.Source;
        var found = domain.FindDisk(disk.Target)
            ?? throw new StatelessDiskException(
                $"Config \"{configPath}\" names disk \"{disk.Target}\", but domain \"{domain.Name}\" has no disk with <target dev='{disk.Target}'/> (it has: {Names(domain)}); fix the target.");
        switch (RefusalOf(found))
        {
            case DiskRefusal.NotADisk or DiskRefusal.NotAnImageFile:
                throw new StatelessDiskException(
                    $"Disk \"{disk.Target}\" of domain \"{domain.Name}\" is device='{found.Device}' type='{found.Type}'{(found.SourceFile is null ? " without a source file" : "")}; only a file-backed device='disk' can be stateless: remove it from \"{configPath}\".");
            case DiskRefusal.NotQcow2:
                throw new StatelessDiskException(
                    $"Disk \"{disk.Target}\" of domain \"{domain.Name}\" has <driver type='{found.DriverType}'/>; a stateless disk runs on a qcow2 overlay, so set <driver name='qemu' type='qcow2'/> with virsh edit; a raw image may stay raw as the base if the config says \"base-format\": \"raw\" for this disk (libvirt-hook enable --raw-base does both).");
            case DiskRefusal.ReadOnly:
                throw new StatelessDiskException($"Disk \"{disk.Target}\" of domain \"{domain.Name}\" is <readonly/>, so it never changes; remove it from \"{configPath}\".");
        }

        var image = found.SourceFile!; // RefusalOf refused a disk without one
        var status = FileSystem.Stat(image, followSymlinks: true);
        if (status.Kind == FileKind.Missing)
            throw new StatelessDiskException($"Disk \"{disk.Target}\" of domain \"{domain.Name}\": image \"{image}\" does not exist; restore it or fix the domain XML.");
        if (status.Kind != FileKind.Regular)
        {
            var kind = status.Kind switch
            {
                FileKind.Directory => "a directory",
                FileKind.BlockDevice => "a block device",
                _ => "a device",
            };
            throw new StatelessDiskException($"Disk \"{disk.Target}\" of domain \"{domain.Name}\": \"{image}\" is {kind}, not an image file; only image files can be stateless: remove it from \"{configPath}\".");
        }

        return image;
    }

    /// <summary>
    /// The one rule for which disks of a domain XML can be stateless, in the order prepare checks
    /// it: <c>enable</c> picks disks with it, prepare and <c>validate</c> refuse with it.
    /// </summary>
    /// <param name="rawBase">A raw driver is fine: enable --raw-base turns it into qcow2 over the raw image.</param>
    /// <returns>Null when the disk can be stateless.</returns>
    public static DiskRefusal? RefusalOf(DomainDisk disk, bool rawBase = false) => disk switch
    {
        { Device: not "disk" } => DiskRefusal.NotADisk,
        { Type: not "file" } or { SourceFile: null } => DiskRefusal.NotAnImageFile,
        { DriverType: "raw" } when rawBase => disk.ReadOnly ? DiskRefusal.ReadOnly : null,
        { DriverType: not "qcow2" } => DiskRefusal.NotQcow2,
        { ReadOnly: true } => DiskRefusal.ReadOnly,
        _ => null,
    };

    /// <summary>A few words on why a disk was left alone, for enable's list of skipped disks.</summary>
    public static string Briefly(DiskRefusal refusal, DomainDisk disk) => refusal switch
    {
        DiskRefusal.NotADisk => $"a {disk.Device}",
        DiskRefusal.NotAnImageFile => $"a {disk.Type} disk, not an image file",
        DiskRefusal.NotQcow2 => $"driver {disk.DriverType ?? "(none)"}; a stateless disk needs <driver type='qcow2'/>",
        _ => "read-only",
    };

    private static string Names(DomainDescription domain) =>
        domain.Disks.Count == 0 ? "no disks" : string.Join(", ", domain.Disks.Select(d => d.Target));
}
