namespace LibvirtHook.Tests.Support;

public sealed class TempDirectory : IDisposable
{
    /// <summary>
    /// Root's and 0755 all the way down from /: the hook refuses a config in a directory others can
    /// write (ConfigTrust), and /tmp is one.
    /// </summary>
    private const string TrustedBase = "/run/libvirt-hook-tests";

    public TempDirectory()
    {
        Directory.CreateDirectory(TrustedBase);
        System.IO.File.SetUnixFileMode(TrustedBase, (UnixFileMode)0b111_101_101);
        Path = Directory.CreateDirectory(System.IO.Path.Combine(TrustedBase, $"libvirt-hook-tests-{Guid.NewGuid():N}")).FullName;
        System.IO.File.SetUnixFileMode(Path, (UnixFileMode)0b111_101_101);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
