using System.Globalization;
using System.Text;
using System.Text.Json;
using LibvirtHook.Config;
using LibvirtHook.Domain;

namespace LibvirtHook.Admin.Onboarding;

/// <summary>The config file <c>enable</c> writes: the keys spelled out, so the admin sees what to edit.</summary>
internal static class ConfigText
{
    /// <param name="rawBases">Targets whose image is raw: the config names that format, which the hook never guesses.</param>
    public static string Render(IReadOnlyList<string> targets, RestartPolicy? restart, DateTimeOffset written, IReadOnlyCollection<string>? rawBases = null)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"// Written by libvirt-hook enable on {written:yyyy-MM-dd}. Keys: hooks-config-samples/ (libvirt-hook validate checks edits).\n");
        text.Append("{\n  \"disks\": [");
        text.Append(string.Join(",", targets.Select(t => $"\n    {{\"target\": {Quote(t)}, \"one-shot-commit\": false{(rawBases?.Contains(t) == true ? ", \"base-format\": \"raw\"" : "")}}}")));
        text.Append(targets.Count == 0 ? "]" : "\n  ]");
        if (restart is not null)
        {
            text.Append(CultureInfo.InvariantCulture,
                $",\n  \"restart\": {{\"on\": [{string.Join(", ", restart.On.Select(r => Quote(r.Name())))}], \"delay-seconds\": {restart.DelaySeconds}, \"max-restarts\": {restart.MaxRestarts}, \"window-seconds\": {restart.WindowSeconds}}}");
        }

        return text.Append("\n}\n").ToString();
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value, ConfigTextJsonContext.Default.String);
}
