using System.Text.Json.Serialization;

namespace LibvirtHook.Admin.Inventory;

/// <summary>Why the admin side shows a disk: its config names it, or only the journal still does.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DiskMode>))]
internal enum DiskMode
{
    /// <summary>The config names it: it starts on a fresh overlay.</summary>
    [JsonStringEnumMemberName("stateless")]
    Stateless,

    /// <summary>The journal still has it (an overlay to throw away at the next stop), but the config no longer names it.</summary>
    [JsonStringEnumMemberName("leftover")]
    Leftover,
}
