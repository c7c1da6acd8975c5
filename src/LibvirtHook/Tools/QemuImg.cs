using System.Text.Json;
using System.Text.RegularExpressions;

namespace LibvirtHook.Tools;

/// <summary>qemu-img, through its stable interfaces only (JSON output, explicit formats).</summary>
internal sealed partial class QemuImg(ToolPaths tools)
{
    // Reading a header takes milliseconds; this long means the storage is gone (dead NFS).
    public static readonly TimeSpan InfoLimit = TimeSpan.FromSeconds(30);

    // Creating an empty overlay writes a few KiB.
    public static readonly TimeSpan CreateLimit = TimeSpan.FromSeconds(60);

    // Copies everything the guest wrote this session into the base: gigabytes on slow disks may
    // legitimately take many minutes. Killing it is safe (the journal has it run again), so the
    // limit only stops a stop from hanging forever.
    public static readonly TimeSpan CommitLimit = TimeSpan.FromMinutes(60);

    /// <param name="shared">Open with <c>-U</c>: allowed while a VM holds the image, for reading only.</param>
    public ImageInfo Info(string image, bool shared = false)
    {
        string[] arguments = shared ? ["info", "-U", "--output=json", image] : ["info", "--output=json", image];
        var result = ProcessRunner.Run(tools.QemuImg, arguments, InfoLimit);
        return JsonSerializer.Deserialize(result.StandardOutput, ToolsJsonContext.Default.ImageInfo)
            ?? throw ToolException.Unexpected(tools.QemuImg, arguments, "printed no image description.");
    }

    /// <summary>
    /// Creates an empty qcow2 overlay. <paramref name="backingFile"/> may be relative: qemu
    /// resolves it against the overlay's directory.
    /// </summary>
    public void CreateOverlay(string overlay, string backingFile, string backingFormat) =>
        ProcessRunner.Run(tools.QemuImg, ["create", "-q", "-f", "qcow2", "-F", backingFormat, "-b", backingFile, overlay], CreateLimit);

    /// <summary>
    /// Writes the overlay's data into its backing file. <c>-d</c> leaves the overlay as it was,
    /// so an interrupted commit can simply be run again.
    /// </summary>
    public void Commit(string overlay) =>
        ProcessRunner.Run(tools.QemuImg, ["commit", "-q", "-d", overlay], CommitLimit);

    /// <summary>
    /// Whether qemu-img failed because another process (a running VM) holds the image's lock.
    /// Decided from qemu-img's own words only, with the image's path taken out of them first:
    /// a path such as "/srv/blockstore/vm.qcow2" says nothing about locks.
    /// </summary>
    public static bool IsLockedByAnotherProcess(ToolException failure, string image) =>
        failure.ExitCode is not null && LockConflict().IsMatch(failure.StandardError.Replace(image, "", StringComparison.Ordinal));

    [GeneratedRegex("""Failed to get (shared )?"\w+" lock""")]
    private static partial Regex LockConflict();
}
