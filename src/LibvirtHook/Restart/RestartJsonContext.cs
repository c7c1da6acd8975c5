using System.Text.Json.Serialization;

namespace LibvirtHook.Restart;

[JsonSerializable(typeof(List<DateTimeOffset>))]
internal sealed partial class RestartJsonContext : JsonSerializerContext;
