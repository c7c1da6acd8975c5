using System.Text.Json.Serialization;

namespace LibvirtHook.Tools;

/// <summary>The part of <c>qemu-img info --output=json</c> the hook relies on.</summary>
internal sealed record ImageInfo
{
    [JsonPropertyName("format")]
    public required string Format { get; init; }

    [JsonPropertyName("virtual-size")]
    public long VirtualSize { get; init; }

    [JsonPropertyName("backing-filename")]
    public string? BackingFilename { get; init; }

    [JsonPropertyName("full-backing-filename")]
    public string? FullBackingFilename { get; init; }

    [JsonPropertyName("backing-filename-format")]
    public string? BackingFormat { get; init; }
}
