namespace LibvirtHook;

/// <summary>Which program the binary is being run as, from argv[0].</summary>
internal static class InvocationName
{
    public static bool IsHook(string argv0) =>
        Path.GetFileName(argv0) == "qemu" || Path.GetFileName(Path.GetDirectoryName(argv0)) == "qemu.d";
}
