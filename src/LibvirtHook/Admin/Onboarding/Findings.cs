namespace LibvirtHook.Admin.Onboarding;

/// <summary>What <c>validate</c> found for one VM: problems stop its start, warnings do not.</summary>
internal sealed record Findings
{
    public static Findings None { get; } = new() { Problems = [], Warnings = [] };

    public required IReadOnlyList<string> Problems { get; init; }

    public required IReadOnlyList<string> Warnings { get; init; }

    public static Findings Problem(string problem) => new() { Problems = [problem], Warnings = [] };
}
