using System.Globalization;
using System.Text;

namespace LibvirtHook.Admin;

/// <summary>
/// The only place the monitoring commands read hooks.log: the lines since a moment, newest last,
/// read backwards from the end so a long log costs no more than the recent part of it.
/// </summary>
/// <remarks>
/// Until the log-line catalogue (Logging/) lands, the kinds of line check and metrics care about
/// are recognised here, by the words the hook and the restart worker write.
/// </remarks>
public static class HookLogScan
{
    private const int Chunk = 256 * 1024;

    /// <summary>Even a busy host writes far less in the longest window; a bigger tail is not read.</summary>
    private const long MaxBytes = 64L * 1024 * 1024;

    public static IReadOnlyList<HookLogLine> Since(string path, DateTimeOffset since)
    {
        if (!File.Exists(path))
            return [];
        using var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete });
        var end = stream.Length;
        var start = end;
        var tail = Array.Empty<byte>();
        while (start > 0 && end - start < MaxBytes)
        {
            var size = (int)Math.Min(Chunk, start);
            start -= size;
            var chunk = new byte[size + tail.Length];
            stream.Position = start;
            stream.ReadExactly(chunk, 0, size);
            tail.CopyTo(chunk, size);
            tail = chunk;
            // Far enough back once the first whole line of what was read is older than wanted.
            var firstNewline = Array.IndexOf(tail, (byte)'\n');
            if (firstNewline >= 0 && start > 0 && Parse(Encoding.UTF8.GetString(tail, firstNewline + 1, Math.Min(256, tail.Length - firstNewline - 1))) is { } first && first.Time < since)
                break;
        }

        var text = Encoding.UTF8.GetString(tail);
        var lines = text.Split('\n');
        // A partial first line (the read began mid-line) is not a line.
        return lines.Skip(start > 0 ? 1 : 0)
            .Select(Parse)
            .OfType<HookLogLine>()
            .Where(l => l.Time >= since)
            .ToList();
    }

    /// <summary>
    /// <c>2026-11-22T00:04:18.748+00:00 [7912] vm="kiosk" op=prepare outcome=ok ...</c>;
    /// null for anything else (a torn or foreign line).
    /// </summary>
    public static HookLogLine? Parse(string line)
    {
        var space = line.IndexOf(' ');
        if (space < 0 || !DateTimeOffset.TryParseExact(line[..space], "yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            return null;
        var vmAt = line.IndexOf(" vm=\"", space, StringComparison.Ordinal);
        if (vmAt < 0)
            return null;
        var vm = new StringBuilder();
        var i = vmAt + 5;
        for (; i < line.Length && line[i] != '"'; i++)
        {
            if (line[i] == '\\' && i + 1 < line.Length)
            {
                i++;
                vm.Append(line[i] switch { 'n' => '\n', 'r' => '\r', var c => c });
            }
            else
            {
                vm.Append(line[i]);
            }
        }

        const string op = "\" op=";
        if (i >= line.Length || string.CompareOrdinal(line, i, op, 0, op.Length) != 0)
            return null;
        var opStart = i + op.Length;
        var opEnd = line.IndexOf(' ', opStart);
        return new HookLogLine
        {
            Time = time,
            Vm = vm.ToString(),
            Operation = opEnd < 0 ? line[opStart..] : line[opStart..opEnd],
            Rest = opEnd < 0 ? "" : line[(opEnd + 1)..],
        };
    }
}
