using System.Text.Json;
using LibvirtHook.Platform;

namespace LibvirtHook.Restart;

/// <summary>When the worker started a VM again, kept per VM for the crash-loop guard.</summary>
internal sealed class RestartHistory(string path)
{
    public IReadOnlyList<DateTimeOffset> Load()
    {
        try
        {
            return File.Exists(path)
                ? (JsonSerializer.Deserialize(File.ReadAllText(path), RestartJsonContext.Default.ListDateTimeOffset) ?? [])
                : [];
        }
        catch (JsonException)
        {
            return []; // A damaged history only weakens the guard for one window.
        }
    }

    public void Add(DateTimeOffset when, TimeSpan keep)
    {
        var kept = Load().Where(r => r > when - keep).Append(when).ToList();
        FileSystem.WriteAtomically(path, JsonSerializer.Serialize(kept, RestartJsonContext.Default.ListDateTimeOffset), newFilePermissions: 0b110_000_000);
    }
}
