using System.Text.Json.Serialization;

namespace LibvirtHook.Admin;

[JsonSerializable(typeof(string))]
internal sealed partial class ConfigTextJsonContext : JsonSerializerContext;
