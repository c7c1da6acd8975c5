using System.Text.Json.Serialization;

namespace LibvirtHook.Admin.Onboarding;

[JsonSerializable(typeof(string))]
internal sealed partial class ConfigTextJsonContext : JsonSerializerContext;
