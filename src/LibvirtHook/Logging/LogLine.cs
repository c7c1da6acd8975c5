using System.Globalization;
using System.Text;

namespace LibvirtHook.Logging;

/// <summary>
/// One line of hooks.log: <c>TIME [PID] vm="NAME" op=OP key=value ...</c>. Which keys a line
/// carries, in which order and how each is quoted is decided in <see cref="LogCatalog"/> only;
/// this type writes and reads the shape every line shares.
/// </summary>
public sealed record LogLine
{
    public const string TimeFormat = "yyyy-MM-ddTHH:mm:ss.fffzzz";

    public required DateTimeOffset Time { get; init; }

    public required int Pid { get; init; }

    public required string Vm { get; init; }

    public required string Op { get; init; }

    public required IReadOnlyList<LogField> Fields { get; init; }

    /// <summary>The value of <paramref name="key"/>, or null when the line does not carry it.</summary>
    public string? this[string key] => Fields.FirstOrDefault(f => f.Key == key)?.Value;

    /// <summary>A number the line carries (ms=, waited-ms=, ...), or null.</summary>
    public long? Number(string key) => long.TryParse(this[key], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    public bool Has(string key, string value) => this[key] == value;

    /// <summary>The line without its pid and VM: what <c>status</c> shows as a VM's last action.</summary>
    public string Summary() => Format(withPidAndVm: false);

    public override string ToString() => Format(withPidAndVm: true);

    public static bool TryParse(string text, out LogLine line)
    {
        line = null!;
        var reader = new Reader(text.TrimEnd('\n', '\r'));
        if (!reader.TryWord(out var time) || !DateTimeOffset.TryParseExact(time, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var when))
            return false;
        if (!reader.TryWord(out var pidText) || pidText.Length < 3 || pidText[0] != '[' || pidText[^1] != ']'
            || !int.TryParse(pidText[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return false;
        }

        var fields = new List<LogField>();
        while (!reader.AtEnd)
        {
            if (!reader.TryField(out var field))
                return false;
            fields.Add(field);
        }

        if (fields.Count < 2 || fields[0].Key != LogCatalog.Keys.Vm || fields[1].Key != LogCatalog.Keys.Op)
            return false;
        line = new LogLine { Time = when, Pid = pid, Vm = fields[0].Value, Op = fields[1].Value, Fields = fields[2..] };
        return true;
    }

    /// <summary>Every line of <paramref name="text"/> that is a hooks.log line, in order.</summary>
    public static IReadOnlyList<LogLine> ParseAll(string text) =>
        [.. text.Split('\n').Select(l => TryParse(l, out var line) ? line : null).OfType<LogLine>()];

    private string Format(bool withPidAndVm)
    {
        var text = new StringBuilder(Time.ToString(TimeFormat, CultureInfo.InvariantCulture));
        if (withPidAndVm)
        {
            text.Append(" [").Append(Pid.ToString(CultureInfo.InvariantCulture)).Append("] ")
                .Append(LogCatalog.Keys.Vm).Append('=').Append(LogCatalog.Value(LogCatalog.Keys.Vm, Vm));
        }

        text.Append(' ').Append(LogCatalog.Keys.Op).Append('=').Append(LogCatalog.Value(LogCatalog.Keys.Op, Op));
        foreach (var field in Fields)
            text.Append(' ').Append(field.Key).Append('=').Append(LogCatalog.Value(field.Key, field.Value));
        return text.ToString();
    }

    /// <summary>Reads words and <c>key=value</c> / <c>key="quoted \" value"</c> fields.</summary>
    private sealed class Reader(string text)
    {
        private int _at;

        public bool AtEnd => _at >= text.Length;

        public bool TryWord(out string word)
        {
            var end = text.IndexOf(' ', _at);
            word = end < 0 ? text[_at..] : text[_at..end];
            _at = end < 0 ? text.Length : end + 1;
            return word.Length > 0;
        }

        public bool TryField(out LogField field)
        {
            field = null!;
            var equals = text.IndexOf('=', _at);
            if (equals <= _at)
                return false;
            var key = text[_at..equals];
            if (key.Contains(' '))
                return false;
            _at = equals + 1;
            string value;
            if (_at < text.Length && text[_at] == '"')
            {
                var builder = new StringBuilder();
                _at++;
                while (true)
                {
                    if (_at >= text.Length)
                        return false;
                    var c = text[_at++];
                    if (c == '"')
                        break;
                    if (c == '\\' && _at < text.Length)
                    {
                        var escaped = text[_at++];
                        var digits = escaped switch { 'x' => 2, 'u' => 4, _ => 0 };
                        if (digits > 0 && _at + digits <= text.Length
                            && int.TryParse(text.AsSpan(_at, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                        {
                            builder.Append((char)code);
                            _at += digits;
                            continue;
                        }

                        builder.Append(escaped switch { 'n' => '\n', 'r' => '\r', 't' => '\t', _ => escaped });
                        continue;
                    }

                    builder.Append(c);
                }

                value = builder.ToString();
                if (_at < text.Length && text[_at++] != ' ')
                    return false;
            }
            else
            {
                TryWord(out value);
            }

            field = new LogField(key, value);
            return true;
        }
    }
}
