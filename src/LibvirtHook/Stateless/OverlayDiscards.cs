using LibvirtHook.Logging;
using LibvirtHook.Platform;

namespace LibvirtHook.Stateless;

/// <summary>
/// Overlays a call threw away, removed once the hook has answered libvirt. The last unlink of a
/// file frees its blocks before the call returns: for an overlay a guest filled, that is tens to
/// hundreds of milliseconds that libvirtd, and so the next start, would wait for. Release
/// therefore gives the overlay a second name (<see cref="Suffix"/>) before its rename, and a
/// detached worker drops that name. Whatever sits at such a name is garbage by construction,
/// so removing it late, twice or never costs disk space, never data.
/// </summary>
/// <param name="domain">Names the VM in the log if a file cannot be removed.</param>
/// <param name="worker">The program to run detached as the discard worker; null removes the files before the call returns (in-process specs, whose process is the test host).</param>
internal sealed class OverlayDiscards(string domain, WorkerProgram? worker)
{
    public const string Suffix = ".stateless-discard";

    private readonly List<string> _files = [];

    public static string NameFor(string image) => image + Suffix;

    public void Add(string file)
    {
        if (!_files.Contains(file))
            _files.Add(file);
    }

    /// <summary>Hands the pending files to the detached worker, or removes them now when there is none or it cannot start.</summary>
    public void Flush(HookLog log)
    {
        if (_files.Count == 0)
            return;
        var files = _files.ToList();
        _files.Clear();
        if (worker is null || !TrySpawn(worker, files))
            Remove(domain, files, log);
    }

    /// <summary>
    /// Unlinks each file that is a regular file named <c>&lt;absolute path&gt;.stateless-discard</c>;
    /// anything else is left alone and logged, as is a file that cannot be removed.
    /// </summary>
    /// <returns>True when every file is gone.</returns>
    public static bool Remove(string domain, IReadOnlyList<string> files, HookLog log)
    {
        var allGone = true;
        foreach (var file in files)
        {
            if (TryRemove(file) is not { } problem)
                continue;
            allGone = false;
            log.Write(LogCatalog.Warned(domain, LogCatalog.DiscardOp, null, problem));
        }

        return allGone;
    }

    /// <returns>Null when the file is gone; otherwise why it is still there, for the log.</returns>
    private static string? TryRemove(string file)
    {
        if (!Path.IsPathRooted(file) || !file.EndsWith(Suffix, StringComparison.Ordinal) || Path.GetFileName(file) == Suffix)
            return $"\"{file}\" is not the name of a discarded overlay (an absolute path ending in \"{Suffix}\"), so it was left alone.";
        var status = FileSystem.Stat(file);
        if (!status.Exists)
            return null;
        if (status.Kind != FileKind.Regular)
            return $"\"{file}\" is a {Describe(status.Kind)}, not a discarded overlay, so it was left alone: the hook reserves names ending in \"{Suffix}\"; rename it.";
        try
        {
            FileSystem.Delete(file);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"Cannot remove \"{file}\", an overlay the hook threw away: {e.Message} It holds nothing of value; remove it by hand to free its space.";
        }
    }

    private bool TrySpawn(WorkerProgram program, IReadOnlyList<string> files)
    {
        try
        {
            new DiscardLaunch { Domain = domain, Files = files }.Spawn(program);
            return true;
        }
        catch (IOException)
        {
            // Removing them in the hook is only slower, never wrong.
            return false;
        }
    }

    private static string Describe(FileKind kind) => kind switch
    {
        FileKind.Directory => "directory",
        FileKind.SymbolicLink => "symbolic link",
        FileKind.BlockDevice => "block device",
        _ => "special file",
    };
}
