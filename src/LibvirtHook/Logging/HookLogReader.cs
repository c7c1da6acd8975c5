namespace LibvirtHook.Logging;

/// <summary>Reads hooks.log back as <see cref="LogLine"/>s, for status, check and <c>libvirt-hook log</c>.</summary>
internal sealed class HookLogReader(string path)
{
    /// <summary>Enough for every VM's recent lines without reading a huge log whole.</summary>
    public const int TailBytes = 4 * 1024 * 1024;

    /// <summary>The lines in the last <paramref name="bytes"/> of the log (a cut first line is skipped), oldest first.</summary>
    public IReadOnlyList<LogLine> Tail(int bytes = TailBytes)
    {
        if (!File.Exists(path))
            return [];
        using var stream = File.OpenRead(path);
        stream.Seek(Math.Max(0, stream.Length - bytes), SeekOrigin.Begin);
        return LogLine.ParseAll(new StreamReader(stream).ReadToEnd());
    }
}
