using LibvirtHook.Platform;

namespace LibvirtHook.Restart;

/// <summary>An admin's "keep it down" for one VM, without editing its config.</summary>
internal sealed class Holds(HookPaths paths)
{
    public bool IsHeld(string domain) => File.Exists(paths.HoldFile(domain));

    public void Hold(string domain)
    {
        Directory.CreateDirectory(paths.StateDirectory);
        FileSystem.WriteAtomically(paths.HoldFile(domain), DateTimeOffset.Now.ToString("O", System.Globalization.CultureInfo.InvariantCulture) + "\n", newFilePermissions: 0b110_000_000);
    }

    /// <returns>False when the VM was not held.</returns>
    public bool Unhold(string domain)
    {
        if (!IsHeld(domain))
            return false;
        FileSystem.Delete(paths.HoldFile(domain));
        return true;
    }

    public static string Why(string domain) => $"held by an admin (libvirt-hook unhold {HoldQuote(domain)} to allow restarts again)";

    private static string HoldQuote(string domain) => domain.Any(c => !char.IsLetterOrDigit(c) && c is not ('-' or '_' or '.')) ? $"'{domain.Replace("'", "'\\''")}'" : domain;
}
