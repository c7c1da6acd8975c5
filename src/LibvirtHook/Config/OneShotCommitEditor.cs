using System.Text;
using System.Text.Json;

namespace LibvirtHook.Config;

/// <summary>
/// Changes only the <c>one-shot-commit</c> values of a config's text, byte for byte in place, so
/// the admin's layout and comments survive the hook's edits.
/// </summary>
internal static class OneShotCommitEditor
{
    /// <returns>The edited text, or null when nothing had to change.</returns>
    public static string? Set(string json, IReadOnlyCollection<string> targets, bool value)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var edits = new List<(int Start, int Length, string Text)>();
        foreach (var disk in FindDisks(bytes))
        {
            if (disk.Target is null || !targets.Contains(disk.Target))
                continue;
            if (disk.FlagStart >= 0)
            {
                if (disk.FlagValue != value)
                    edits.Add((disk.FlagStart, disk.FlagLength, value ? "true" : "false"));
            }
            else if (value)
            {
                edits.Add((disk.LastValueEnd, 0, ", \"one-shot-commit\": true"));
            }
        }

        if (edits.Count == 0)
            return null;
        var result = new List<byte>(bytes);
        foreach (var (start, length, text) in edits.OrderByDescending(e => e.Start))
        {
            result.RemoveRange(start, length);
            result.InsertRange(start, Encoding.UTF8.GetBytes(text));
        }

        return Encoding.UTF8.GetString(result.ToArray());
    }

    private sealed class DiskSpan
    {
        public string? Target { get; set; }

        public int FlagStart { get; set; } = -1;

        public int FlagLength { get; set; }

        public bool FlagValue { get; set; }

        public int LastValueEnd { get; set; }
    }

    private static List<DiskSpan> FindDisks(byte[] bytes)
    {
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var disks = new List<DiskSpan>();
        var inDisks = false;
        DiskSpan? current = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName when reader.CurrentDepth == 1:
                    var isDisks = reader.ValueTextEquals("disks");
                    reader.Read();
                    if (isDisks && reader.TokenType == JsonTokenType.StartArray)
                        inDisks = true;
                    else
                        reader.Skip();
                    break;
                case JsonTokenType.EndArray when reader.CurrentDepth == 1:
                    inDisks = false;
                    break;
                case JsonTokenType.StartObject when inDisks && reader.CurrentDepth == 2:
                    current = new DiskSpan();
                    disks.Add(current);
                    break;
                case JsonTokenType.PropertyName when current is not null && reader.CurrentDepth == 3:
                    var name = reader.GetString();
                    reader.Read();
                    var start = (int)reader.TokenStartIndex;
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        reader.Skip();
                        current.LastValueEnd = (int)reader.TokenStartIndex + 1;
                        break;
                    }

                    var length = reader.TokenType == JsonTokenType.String ? reader.ValueSpan.Length + 2 : reader.ValueSpan.Length;
                    current.LastValueEnd = start + length;
                    if (name == "target" && reader.TokenType == JsonTokenType.String)
                        current.Target = reader.GetString();
                    if (name == "one-shot-commit" && reader.TokenType is JsonTokenType.True or JsonTokenType.False)
                        (current.FlagStart, current.FlagLength, current.FlagValue) = (start, length, reader.TokenType == JsonTokenType.True);
                    break;
                case JsonTokenType.EndObject when current is not null && reader.CurrentDepth == 2:
                    current = null;
                    break;
            }
        }

        return disks;
    }
}
