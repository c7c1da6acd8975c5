namespace LibvirtHook.Admin.Monitoring;

/// <summary>What <c>check</c> prints and exits with.</summary>
internal sealed record CheckResult
{
    public required CheckState State { get; init; }

    public required IReadOnlyList<CheckFinding> Findings { get; init; }

    /// <summary>Nagios performance data: <c>label=value[unit];warn;crit;min;max</c>, space-separated.</summary>
    public required string PerformanceData { get; init; }

    public required string Summary { get; init; }

    /// <summary>
    /// One status line with the performance data after <c>|</c>, then one line per finding. Summary
    /// and findings quote names and messages others chose, so they pass through
    /// <see cref="UntrustedText.ForPluginLine"/>: a VM named <c>a|b=1</c> cannot add perfdata or lines.
    /// The performance data's labels are this type's own words.
    /// </summary>
    public string Render() =>
        $"{StatusLine(State, Summary)} | {PerformanceData}\n"
        + string.Concat(Findings.Select(f => $"{f.State.ToString().ToUpperInvariant()}: {UntrustedText.ForPluginLine(f.Text)}\n"));

    /// <summary>The status line without performance data (also check's line when it cannot look at all).</summary>
    public static string StatusLine(CheckState state, string summary) =>
        $"LIBVIRT-HOOK {state.ToString().ToUpperInvariant()} - {UntrustedText.ForPluginLine(summary)}";
}
