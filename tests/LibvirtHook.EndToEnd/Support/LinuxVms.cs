namespace LibvirtHook.EndToEnd.Support;

/// <summary>
/// Creates a test class's Linux-guest domains on the private libvirtd and removes them
/// afterwards, as <see cref="TestVms"/> does for the tiny guest: config first (so no restart
/// worker brings one back), then any hold, then the domain.
/// </summary>
public sealed class LinuxVms(PrivateLibvirt libvirt, LinuxGuest guest) : IDisposable
{
    private readonly List<string> _names = [];

    /// <param name="config">The VM's config JSON; null leaves the VM unmanaged.</param>
    public TestVm Create(string name, LinuxGuestMode mode, string? config, int diskMiB = 64)
    {
        _names.Add(name);
        var directory = Directory.CreateDirectory(Path.Combine(libvirt.Images, FileNames.Escape(name))).FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        var image = LinuxGuest.CreateDisk(Path.Combine(directory, "disk.qcow2"), diskMiB);
        var vm = new TestVm(name, directory, image, Path.Combine(directory, "serial.log"));
        if (config is not null)
            libvirt.WriteConfig(name, config);
        libvirt.Define(guest.DomainXml(name, vm.Serial, image, mode));
        return vm;
    }

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
