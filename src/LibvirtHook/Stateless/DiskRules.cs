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
        if (found.Device != "disk" || found.Type != "file" || found.SourceFile is null)
        {
            throw new StatelessDiskException(
                $"Disk \"{disk.Target}\" of domain \"{domain.Name}\" is device='{found.Device}' type='{found.Type}'{(found.SourceFile is null ? " without a source file" : "")}; only a file-backed device='disk' can be stateless: remove it from \"{configPath}\".");
        }

        if (found.DriverType != "qcow2")
        {
            throw new StatelessDiskException(
                $"Disk \"{disk.Target}\" of domain \"{domain.Name}\" has <driver type='{found.DriverType}'/>; a stateless disk runs on a qcow2 overlay, so set <driver name='qemu' type='qcow2'/> with virsh edit; a raw image may stay raw as the base if the config says \"base-format\": \"raw\" for this disk (libvirt-hook enable --raw-base does both).");
        }

        if (found.ReadOnly)
            throw new StatelessDiskException($"Disk \"{disk.Target}\" of domain \"{domain.Name}\" is <readonly/>, so it never changes; remove it from \"{configPath}\".");

        var image = found.SourceFile;
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

    private static string Names(DomainDescription domain) =>
        domain.Disks.Count == 0 ? "no disks" : string.Join(", ", domain.Disks.Select(d => d.Target));
}
