namespace LibvirtHook.Admin;

/// <summary>What <c>check</c> prints and exits with.</summary>
internal sealed record CheckResult
{
    public required CheckState State { get; init; }

    public required IReadOnlyList<CheckFinding> Findings { get; init; }

    /// <summary>Nagios performance data: <c>label=value[unit];warn;crit;min;max</c>, space-separated.</summary>
    public required string PerformanceData { get; init; }

    public required string Summary { get; init; }

    /// <summary>One status line with the performance data after <c>|</c>, then one line per finding.</summary>
    public string Render() =>
        $"LIBVIRT-HOOK {State.ToString().ToUpperInvariant()} - {Summary} | {PerformanceData}\n"
        + string.Concat(Findings.Select(f => $"{f.State.ToString().ToUpperInvariant()}: {f.Text}\n"));
}
