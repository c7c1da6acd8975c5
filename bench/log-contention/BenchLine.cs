using System.Text.RegularExpressions;

namespace LogContention;

/// <summary>
/// The payload every writer logs: who wrote it, its sequence number, and filler of a known
/// length, so a line can be checked whole from its content alone, whatever prefix a writer adds.
/// </summary>
internal static partial class BenchLine
{
    public const int FillerLength = 120;

    public static string Payload(int processId, int sequence) =>
        $"bench pid={processId} seq={sequence} data={new string((char)('a' + sequence % 26), FillerLength)} end";

    /// <summary>The (process, sequence) of a whole line, or null for a torn one.</summary>
    public static (int ProcessId, int Sequence)? Parse(string line)
    {
        var match = WholeLine().Match(line);
        if (!match.Success)
            return null;

        var processId = int.Parse(match.Groups["pid"].ValueSpan);
        var sequence = int.Parse(match.Groups["seq"].ValueSpan);
        return match.Groups["data"].Value == new string((char)('a' + sequence % 26), FillerLength)
            ? (processId, sequence)
            : null;
    }

    // One payload per line, ending the line, after a prefix that holds no other payload.
    [GeneratedRegex(@"^(?:(?!bench pid=).)*bench pid=(?<pid>\d+) seq=(?<seq>\d+) data=(?<data>[a-z]+) end$")]
    private static partial Regex WholeLine();
}
