using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Support;

internal static class Executable
{
    /// <summary>
    /// Writes a script and makes it executable without this process ever holding it open for
    /// writing: a child that another test forks meanwhile would inherit that descriptor until its
    /// own exec, and running the script at that moment fails with ETXTBSY. install(1) writes it.
    /// </summary>
    public static void Write(string path, string text)
    {
        var source = path + ".source";
        File.WriteAllText(source, text);
        try
        {
            ProcessRunner.Run("install", ["-m", "0755", source, path]);
        }
        finally
        {
            File.Delete(source);
        }
    }
}
