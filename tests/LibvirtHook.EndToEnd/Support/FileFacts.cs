using System.Globalization;
using LibvirtHook.Tools;

namespace LibvirtHook.EndToEnd.Support;

/// <summary>
/// What lstat(2) says of a path, read with coreutils' stat rather than the hook's own code, so the
/// adversarial specs do not trust the code they judge.
/// </summary>
public sealed record FileFacts(string Kind, uint Owner, uint Group, int Mode)
{
    public const string Missing = "missing";

    public static FileFacts Of(string path)
    {
        var result = ProcessRunner.RunUnchecked("stat", ["-c", "%F|%u|%g|%a", "--", path]);
        if (result.ExitCode != 0)
            return new FileFacts(Missing, 0, 0, 0);
        var fields = result.StandardOutput.Trim().Split('|');
        return new FileFacts(
            fields[0],
            uint.Parse(fields[1], CultureInfo.InvariantCulture),
            uint.Parse(fields[2], CultureInfo.InvariantCulture),
            Convert.ToInt32(fields[3], 8));
    }

    public bool IsRegularFile => Kind is "regular file" or "regular empty file";

    public override string ToString() => Kind == Missing ? Missing : $"{Kind} {Owner}:{Group} {Convert.ToString(Mode, 8)}";

    public static void Chown(string path, uint owner, uint group) =>
        ProcessRunner.Run("chown", ["-h", $"{owner}:{group}", "--", path]);
}
