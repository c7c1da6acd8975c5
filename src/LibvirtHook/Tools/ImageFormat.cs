using System.Text.Json.Serialization;

namespace LibvirtHook.Tools;

/// <summary>
/// A base image's format, as the admin names it (the config's <c>base-format</c>): never
/// guessed from the file's bytes, which the guest chooses.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<ImageFormat>))]
internal enum ImageFormat
{
    [JsonStringEnumMemberName("qcow2")]
    Qcow2,

    [JsonStringEnumMemberName("raw")]
    Raw,
}
