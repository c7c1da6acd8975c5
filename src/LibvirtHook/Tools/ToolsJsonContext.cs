using System.Text.Json.Serialization;

namespace LibvirtHook.Tools;

[JsonSerializable(typeof(ImageInfo))]
internal sealed partial class ToolsJsonContext : JsonSerializerContext;
