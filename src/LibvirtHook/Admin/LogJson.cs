using System.Text.Encodings.Web;
using System.Text.Json;
using LibvirtHook.Logging;

namespace LibvirtHook.Admin;

/// <summary>
/// <c>libvirt-hook log --json</c>: one JSON object a line (time, pid, vm, op, then the line's own
/// keys), so scripts and benches read hooks.log through the log's catalogue, not with regexes.
/// </summary>
internal static class LogJson
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(LogLine line)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("time", line.Time.ToString(LogLine.TimeFormat, System.Globalization.CultureInfo.InvariantCulture));
            json.WriteNumber("pid", line.Pid);
            json.WriteString(LogCatalog.Keys.Vm, line.Vm);
            json.WriteString(LogCatalog.Keys.Op, line.Op);
            foreach (var field in line.Fields)
            {
                if (long.TryParse(field.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
                    json.WriteNumber(field.Key, number);
                else
                    json.WriteString(field.Key, field.Value);
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
