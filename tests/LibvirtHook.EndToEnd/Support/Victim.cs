using System.Security.Cryptography;
using LibvirtHook.Tools;

namespace LibvirtHook.EndToEnd.Support;

/// <summary>
/// A root-owned host file no principal but root may change, in a fresh root-owned 0755 directory
/// outside every VM's, plus a name in that directory that must never come to exist (a cron or
/// sudoers drop-in an attacker would like root to create). Every adversarial spec ends by
/// checking both.
/// </summary>
public sealed class Victim : IDisposable
{
    private readonly byte[] _bytes;
    private readonly FileFacts _facts;

    private Victim(string directory, string path, byte[] bytes)
    {
        Directory = directory;
        Path = path;
        _bytes = bytes;
        _facts = FileFacts.Of(path);
    }

    public string Directory { get; }

    /// <summary>The root-owned file.</summary>
    public string Path { get; }

    /// <summary>A path in the root-owned directory that nothing may create.</summary>
    public string NeverExisting => System.IO.Path.Combine(Directory, "cron-drop-in");

    /// <summary>A file of known, non-repeating bytes, root:root with <paramref name="mode"/>.</summary>
    public static Victim File(string root, int mode = 0b110_000_000, int size = 512 * 1024)
    {
        var (directory, path) = NewPlace(root, "secret");
        var bytes = new byte[size];
        new Random(4242).NextBytes(bytes);
        System.IO.File.WriteAllBytes(path, bytes);
        System.IO.File.SetUnixFileMode(path, (UnixFileMode)mode);
        return new Victim(directory, path, bytes);
    }

    /// <summary>Another VM's golden qcow2 image, root:root 0600: what a commit into the wrong file would corrupt.</summary>
    public static Victim QcowImage(string root)
    {
        var (directory, path) = NewPlace(root, "other-golden.qcow2");
        var raw = path + ".raw";
        var bytes = new byte[1024 * 1024];
        new Random(64055).NextBytes(bytes);
        System.IO.File.WriteAllBytes(raw, bytes);
        ProcessRunner.Run("qemu-img", ["convert", "-q", "-f", "raw", "-O", "qcow2", raw, path]);
        System.IO.File.Delete(raw);
        System.IO.File.SetUnixFileMode(path, (UnixFileMode)0b110_000_000);
        return new Victim(directory, path, System.IO.File.ReadAllBytes(path));
    }

    /// <summary>Bytes, owner, group and mode as they were, and the never-existing name still free.</summary>
    public void ShouldBeUnchanged(string when)
    {
        FileFacts.Of(Path).Should().Be(_facts, $"the root-owned victim \"{Path}\" must keep its kind, owner, group and mode {when}");
        SHA256.HashData(System.IO.File.ReadAllBytes(Path)).Should().Equal(SHA256.HashData(_bytes), $"the victim's bytes must be unchanged {when}");
        FileFacts.Of(NeverExisting).Kind.Should().Be(FileFacts.Missing, $"nothing may create \"{NeverExisting}\" in a root-owned directory {when}");
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private static (string Directory, string Path) NewPlace(string root, string name)
    {
        var directory = System.IO.Directory.CreateDirectory(System.IO.Path.Combine(root, "victim-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        System.IO.File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        return (directory, System.IO.Path.Combine(directory, name));
    }
}
