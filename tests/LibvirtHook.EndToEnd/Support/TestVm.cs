namespace LibvirtHook.EndToEnd.Support;

/// <summary>A test's domain: its own directory with its boot disk and its serial log.</summary>
public sealed record TestVm(string Name, string Directory, string Image, string Serial)
{
    /// <summary>The files in the VM's directory, by name, once the hook's discard worker has removed what release set aside.</summary>
    public IEnumerable<string?> FileNames() => TestVms.SettledFileNames(Directory);
}
