using System.Text;
using System.Text.Json;

namespace LibvirtHook.Tools;

/// <summary>
/// The files a one-shot commit opens, each by a path nobody else can redirect and with its
/// format: the overlay (qcow2), the base it writes into, and, for a base that is a thin clone,
/// the base's own backing file (read only, for the clusters a partial write must copy).
/// </summary>
internal sealed record CommitChain
{
    public required string Overlay { get; init; }

    public required string Base { get; init; }

    public required ImageFormat BaseFormat { get; init; }

    public string? BaseBacking { get; init; }

    public ImageFormat? BaseBackingFormat { get; init; }

    /// <summary>qemu-img's <c>json:</c> pseudo-filename for the chain.</summary>
    public string ToJsonFilename()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("driver", ImageFormat.Qcow2.Name());
            WriteFile(json, Overlay);
            json.WritePropertyName("backing");
            json.WriteStartObject();
            json.WriteString("driver", BaseFormat.Name());
            WriteFile(json, Base);
            if (BaseFormat == ImageFormat.Qcow2)
            {
                json.WritePropertyName("backing");
                if (BaseBacking is null)
                {
                    json.WriteNullValue();
                }
                else
                {
                    json.WriteStartObject();
                    json.WriteString("driver", (BaseBackingFormat ?? throw new InvalidOperationException("A base's backing file needs its format.")).Name());
                    WriteFile(json, BaseBacking);
                    json.WriteEndObject();
                }
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return "json:" + Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteFile(Utf8JsonWriter json, string path)
    {
        json.WritePropertyName("file");
        json.WriteStartObject();
        json.WriteString("driver", "file");
        json.WriteString("filename", path);
        json.WriteEndObject();
    }
}
