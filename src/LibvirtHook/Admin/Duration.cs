using System.Globalization;

namespace LibvirtHook.Admin;

/// <summary>Durations as admins type them on the command line: 90s, 30m, 1h, 2d.</summary>
internal static class Duration
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        if (text.Length < 2 || !long.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            return false;
        TimeSpan? unit = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(1),
            'm' => TimeSpan.FromMinutes(1),
            'h' => TimeSpan.FromHours(1),
            'd' => TimeSpan.FromDays(1),
            _ => null,
        };
        if (unit is null || count > 100_000)
            return false;
        duration = unit.Value * count;
        return true;
    }
}
