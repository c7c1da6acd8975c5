namespace LibvirtHook.EndToEnd.Support;

/// <summary>
/// Which libvirt the end-to-end suite runs: the host's (null root), or the one installed in a
/// Debian root built by scripts/debian-root.sh, chosen with LIBVIRT_HOOK_E2E_ROOT.
/// </summary>
public sealed record LibvirtUnderTest(string? RootDirectory)
{
    public const string EnvironmentVariable = "LIBVIRT_HOOK_E2E_ROOT";

    /// <summary>Written by scripts/debian-root.sh once a root is complete.</summary>
    public const string RootMarker = ".libvirt-hook-root";

    public static LibvirtUnderTest FromEnvironment() =>
        new(Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } root ? Path.GetFullPath(root) : null);

    public override string ToString() => RootDirectory is null ? "the host's libvirt" : $"the libvirt in {RootDirectory}";

    /// <summary>Where a path of the daemons' file system is, seen from the host before the namespace exists.</summary>
    public string HostPathOf(string path) => RootDirectory is null ? path : Path.Join(RootDirectory, path);
}
