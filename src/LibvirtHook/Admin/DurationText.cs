using System.Globalization;

namespace LibvirtHook.Admin;

/// <summary>Durations as admins type them: <c>90</c> (seconds), <c>90s</c>, <c>30m</c>, <c>1h</c>, <c>2d</c>.</summary>
public static class DurationText
{
    public static TimeSpan? Parse(string text)
    {
        var trimmed = text.Trim();
        var unit = trimmed.Length > 0 && char.IsLetter(trimmed[^1]) ? trimmed[^1] : 's';
        var number = char.IsLetter(trimmed.LastOrDefault()) ? trimmed[..^1] : trimmed;
        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0 || value > 366L * 24 * 3600)
            return null;
        return unit switch
        {
            's' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMinutes(value),
            'h' => TimeSpan.FromHours(value),
            'd' => TimeSpan.FromDays(value),
            _ => null,
        };
    }
}
