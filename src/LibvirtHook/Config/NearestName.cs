namespace LibvirtHook.Config;

/// <summary>Finds the known name a typo most likely meant.</summary>
internal static class NearestName
{
    public static string Find(string typed, IReadOnlyList<string> known)
    {
        var lower = typed.ToLowerInvariant().Replace('_', '-');
        // "delay" means "delay-seconds" even though "on" is fewer edits away.
        return known.FirstOrDefault(k => k.StartsWith(lower, StringComparison.Ordinal) || lower.StartsWith(k, StringComparison.Ordinal))
            ?? known.MinBy(k => Distance(lower, k))!;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
