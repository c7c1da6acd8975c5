using System.Text.Json.Serialization;

namespace LibvirtHook.Admin.Status;

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.KebabCaseLower, Converters = [typeof(Domain.ShutoffReasonJsonConverter)])]
[JsonSerializable(typeof(StatusDocument))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
