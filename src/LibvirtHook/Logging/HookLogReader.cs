using System.Text;

namespace LibvirtHook.Logging;

/// <summary>Reads hooks.log back as <see cref="LogLine"/>s, for status, check, metrics and <c>libvirt-hook log</c>.</summary>
internal sealed class HookLogReader(string path)
{
    /// <summary>Enough for every VM's recent lines without reading a huge log whole.</summary>
    public const int TailBytes = 4 * 1024 * 1024;

    /// <summary>Even a busy host writes far less in the longest period anyone asks for; more is not read.</summary>
    public const long MaxSinceBytes = 64L * 1024 * 1024;

    private const int Chunk = 256 * 1024;

    /// <summary>The lines in the last <paramref name="bytes"/> of the log (a cut first line is skipped), oldest first.</summary>
    public IReadOnlyList<LogLine> Tail(int bytes = TailBytes)
    {
        if (!File.Exists(path))
            return [];
        using var stream = File.OpenRead(path);
        stream.Seek(Math.Max(0, stream.Length - bytes), SeekOrigin.Begin);
        return LogLine.ParseAll(new StreamReader(stream).ReadToEnd());
    }

    /// <summary>
    /// The lines written since <paramref name="since"/>, oldest first, read backwards from the end
    /// in chunks: a long log costs no more than its recent part.
    /// </summary>
    public IReadOnlyList<LogLine> Since(DateTimeOffset since)
    {
        if (!File.Exists(path))
            return [];
        using var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete });
        var start = stream.Length;
        var tail = Array.Empty<byte>();
        while (start > 0 && tail.Length < MaxSinceBytes)
        {
            var size = (int)Math.Min(Chunk, start);
            start -= size;
            var chunk = new byte[size + tail.Length];
            stream.Position = start;
            stream.ReadExactly(chunk, 0, size);
            tail.CopyTo(chunk, size);
            tail = chunk;
            // Far enough back once the first whole line read is older than wanted.
            var newline = Array.IndexOf(tail, (byte)'\n');
            var next = newline < 0 ? -1 : Array.IndexOf(tail, (byte)'\n', newline + 1);
            if (start > 0 && next > newline && LogLine.TryParse(Encoding.UTF8.GetString(tail, newline + 1, next - newline - 1), out var first) && first.Time < since)
                break;
        }

        var lines = Encoding.UTF8.GetString(tail).Split('\n');
        // When the read began mid-line, its first line is not a whole one.
        return [.. lines.Skip(start > 0 ? 1 : 0).Select(l => LogLine.TryParse(l, out var line) ? line : null).OfType<LogLine>().Where(l => l.Time >= since)];
    }
}
