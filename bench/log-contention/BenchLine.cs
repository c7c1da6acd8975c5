using System.Globalization;
using System.Text.RegularExpressions;
using LibvirtHook.Logging;

namespace LogContention;

/// <summary>
/// The payload every writer logs: who wrote it, its sequence number, and filler of a known
/// length, so a line can be checked whole from its content alone, whatever prefix a writer adds.
/// </summary>
internal static partial class BenchLine
{
    public const int FillerLength = 120;

    /// <summary>The payload as a Serilog message template: rendered, it reads <c>pid=P seq=S data=FILLER</c>.</summary>
    public const string Template = "pid={Pid} seq={Seq} data={Data:l}";

    /// <summary>The same payload as hooks.log fields, for writers that take a LogLine.</summary>
    public static IReadOnlyList<LogField> Fields(int processId, int sequence) =>
        [new("pid", processId.ToString(CultureInfo.InvariantCulture)), new("seq", sequence.ToString(CultureInfo.InvariantCulture)), new("data", Filler(sequence))];

    public static string Filler(int sequence) => new((char)('a' + sequence % 26), FillerLength);

    /// <summary>The (process, sequence) of a whole line, or null for a torn one.</summary>
    public static (int ProcessId, int Sequence)? Parse(string line)
    {
        var match = WholeLine().Match(line);
        if (!match.Success)
            return null;

        var processId = int.Parse(match.Groups["pid"].ValueSpan);
        var sequence = int.Parse(match.Groups["seq"].ValueSpan);
        return match.Groups["data"].Value == Filler(sequence)
            ? (processId, sequence)
            : null;
    }

    // One payload per line, ending the line, after a prefix that holds no other payload.
    [GeneratedRegex(@"^(?:(?!pid=).)* pid=(?<pid>\d+) seq=(?<seq>\d+) data=(?<data>[a-z]+)$")]
    private static partial Regex WholeLine();
}
