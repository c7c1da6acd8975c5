using System.Text.Json;
using System.Text.Json.Serialization;

namespace LibvirtHook.Domain;

/// <summary>A shut-off reason in JSON is its name, as in the config ("shutdown", "from-snapshot").</summary>
internal sealed class ShutoffReasonJsonConverter : JsonConverter<ShutoffReason>
{
    public override ShutoffReason Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ShutoffReasons.TryParse(reader.GetString(), out var reason) ? reason : throw new JsonException($"\"{reader.GetString()}\" is not a shut-off reason.");

    public override void Write(Utf8JsonWriter writer, ShutoffReason value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name());
}
