using System.Text.Json.Serialization;

namespace LibvirtHook.Admin;

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.KebabCaseLower, Converters = [typeof(Domain.ShutoffReasonJsonConverter)])]
[JsonSerializable(typeof(StatusDocument))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
