using System.Text.Json.Serialization;

namespace LibvirtHook.Stateless;

[JsonSourceGenerationOptions(WriteIndented = true, UseStringEnumConverter = true, PropertyNamingPolicy = JsonKnownNamingPolicy.KebabCaseLower)]
[JsonSerializable(typeof(Journal))]
internal sealed partial class JournalJsonContext : JsonSerializerContext;
