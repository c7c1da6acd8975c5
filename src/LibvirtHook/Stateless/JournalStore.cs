using System.Text.Json;
using LibvirtHook.Platform;

namespace LibvirtHook.Stateless;

/// <summary>One durable journal file per VM (temp file, fsync, rename, fsync of the directory).</summary>
internal sealed class JournalStore(string path)
{
    public string Path { get; } = path;

    public Journal? Load()
    {
        if (!File.Exists(Path))
            return null;
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(Path), JournalJsonContext.Default.Journal);
        }
        catch (JsonException e)
        {
            throw new StatelessDiskException(
                $"The state journal \"{Path}\" is damaged ({e.Message}); check the images it names, then remove it.", e);
        }
    }

    /// <summary>For readers that report rather than act (status, check, enable): a damaged journal is a finding, not a failure.</summary>
    public (Journal? Journal, string? Error) TryLoad()
    {
        try
        {
            return (Load(), null);
        }
        catch (StatelessDiskException e)
        {
            return (null, e.Message);
        }
    }

    public void Save(Journal journal)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        if (journal.Disks.Count == 0)
        {
            Delete();
            return;
        }

        FileSystem.WriteAtomically(Path, JsonSerializer.Serialize(journal, JournalJsonContext.Default.Journal), newFilePermissions: 0b110_000_000);
    }

    public void Delete()
    {
        if (File.Exists(Path))
            FileSystem.Delete(Path);
    }
}
