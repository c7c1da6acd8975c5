using System.Security.Cryptography;

namespace LibvirtHook.EndToEnd.Support;

/// <summary>
/// Creates a test class's domains on the private libvirtd and removes them afterwards: config
/// first (so no restart worker brings one back), then any hold, then the domain.
/// </summary>
public sealed class TestVms(PrivateLibvirt libvirt) : IDisposable
{
    private readonly List<string> _names = [];

    /// <param name="config">The VM's config JSON; null leaves the VM unmanaged.</param>
    /// <param name="driver">The disk's &lt;driver type&gt; in the domain XML.</param>
    /// <param name="extraDisks">More disks as (target, file name in the VM's directory), created empty.</param>
    public TestVm Create(string name, GuestEnding ending, string? config, string driver = "qcow2", string diskFile = "disk.qcow2", string format = "qcow2", params (string Target, string File)[] extraDisks)
    {
        var vm = Prepare(name, ending, diskFile, format);
        var disks = new[] { ("hda", vm.Image) }.Concat(extraDisks.Select(d => (d.Target, TinyGuest.CreateDataDisk(Path.Combine(vm.Directory, d.File))))).ToArray();
        if (config is not null)
            libvirt.WriteConfig(name, config);
        libvirt.Define(TinyGuest.DomainXml(name, vm.Serial, disks).Replace("type='qcow2'", $"type='{driver}'"));
        return vm;
    }

    /// <summary>A directory and a boot disk for a domain the test defines itself.</summary>
    public TestVm Prepare(string name, GuestEnding ending, string diskFile = "disk.qcow2", string format = "qcow2")
    {
        _names.Add(name);
        var directory = Directory.CreateDirectory(Path.Combine(libvirt.Images, FileNames.Escape(name))).FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        var image = libvirt.Guest.CreateBootDisk(Path.Combine(directory, diskFile), ending, format);
        return new TestVm(name, directory, image, Path.Combine(directory, "serial.log"));
    }

    /// <summary>
    /// The files in <paramref name="directory"/>, by name, once no overlay set aside by a release
    /// is left: the hook's detached worker removes those just after the release returns.
    /// </summary>
    public static IEnumerable<string?> SettledFileNames(string directory)
    {
        PrivateLibvirt.WaitFor(
            () => Directory.GetFiles(directory, "*" + LibvirtHook.Stateless.OverlayDiscards.Suffix).Length == 0,
            $"the discard worker to remove the overlays set aside in \"{directory}\"");
        return Directory.GetFiles(directory).Select(Path.GetFileName);
    }

    public static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    public void Dispose()
    {
        foreach (var name in _names)
        {
            File.Delete(libvirt.ConfigPath(name));
            File.Delete(libvirt.Paths.HoldFile(name));
            libvirt.Forget(name);
        }
    }
}
