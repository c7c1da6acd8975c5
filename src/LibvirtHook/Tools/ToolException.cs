namespace LibvirtHook.Tools;

/// <summary>
/// An external program failed: it could not start, ran past its limit, or exited non-zero. The
/// message names the command, its exit code or limit, and its stderr; so do the properties.
/// </summary>
internal sealed class ToolException : LibvirtHookException
{
    private ToolException(ToolFailure reason, string message, string program, IReadOnlyList<string> arguments, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
        Program = program;
        Arguments = arguments;
    }

    /// <summary>What went wrong; callers decide on this, not on which properties are null.</summary>
    public ToolFailure Reason { get; }

    public string Program { get; }

    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Set only for <see cref="ToolFailure.ExitedNonZero"/>.</summary>
    public int? ExitCode { get; private init; }

    public string StandardError { get; private init; } = "";

    /// <summary>Set only for <see cref="ToolFailure.TimedOut"/>: the limit it ran past.</summary>
    public TimeSpan? Limit { get; private init; }

    public static ToolException Failed(string program, IReadOnlyList<string> arguments, int exitCode, string standardError) =>
        new(ToolFailure.ExitedNonZero, $"{ProcessRunner.Describe(program, arguments)} failed with exit code {exitCode}: {OneLine(standardError)}", program, arguments)
        {
            ExitCode = exitCode,
            StandardError = standardError,
        };

    public static ToolException TimedOut(string program, IReadOnlyList<string> arguments, TimeSpan limit) =>
        new(ToolFailure.TimedOut, $"{ProcessRunner.Describe(program, arguments)} did not finish within its limit of {Seconds(limit)} s and was killed; check what it was waiting for (a hung NFS mount, a stuck libvirtd), then try again.", program, arguments)
        {
            Limit = limit,
        };

    public static ToolException CannotStart(string program, IReadOnlyList<string> arguments, Exception cause) =>
        new(ToolFailure.CouldNotStart, $"Cannot run \"{program}\": {cause.Message}. Is it installed and on PATH?", program, arguments, cause);

    /// <summary>A program's own answer that is not the program's failure (e.g. qemu-img printing no JSON).</summary>
    public static ToolException Unexpected(string program, IReadOnlyList<string> arguments, string problem) =>
        new(ToolFailure.UnexpectedOutput, $"{ProcessRunner.Describe(program, arguments)} {problem}", program, arguments);

    private static string Seconds(TimeSpan limit) => limit.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    private static string OneLine(string text)
    {
        var trimmed = text.Trim().ReplaceLineEndings(" ");
        return trimmed.Length == 0 ? "(no error output)" : trimmed;
    }
}
