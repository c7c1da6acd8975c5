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

    /// <param name="format">Named, never probed: a file's first bytes are whatever its writer (for a disk, the guest) chose.</param>
    /// <param name="shared">Open with <c>-U</c>: allowed while a VM holds the image, for reading only.</param>
    public ImageInfo Info(string image, ImageFormat format, bool shared = false)
    {
        string[] arguments = shared
            ? ["info", "-U", "-f", format.Name(), "--output=json", image]
            : ["info", "-f", format.Name(), "--output=json", image];
        var result = ProcessRunner.Run(tools.QemuImg, arguments, InfoLimit);
        return JsonSerializer.Deserialize(result.StandardOutput, ToolsJsonContext.Default.ImageInfo)
            ?? throw ToolException.Unexpected(tools.QemuImg, arguments, "printed no image description.");
    }

    /// <summary>
    /// Fills an empty file the hook created with an empty qcow2 overlay of the given size.
    /// <paramref name="backingFile"/> is written into the header as it is (relative: QEMU
    /// resolves it against the overlay's directory); <c>-u</c> keeps qemu-img from opening it,
    /// since <paramref name="overlay"/> is a /proc path whose directory is not the image's.
    /// </summary>
    public void CreateOverlay(string overlay, string backingFile, ImageFormat backingFormat, long virtualSize) =>
        ProcessRunner.Run(
            tools.QemuImg,
            ["create", "-q", "-f", "qcow2", "-u", "-F", backingFormat.Name(), "-b", backingFile, overlay, virtualSize.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            CreateLimit);

    /// <summary>
    /// Writes the overlay's data into its backing file. Every file and format is named in the
    /// command (a json: description), so nothing in the overlay's header chooses what is opened
    /// or written. <c>-d</c> leaves the overlay as it was, so an interrupted commit can simply be
    /// run again.
    /// </summary>
    public void Commit(CommitChain chain) =>
        ProcessRunner.Run(tools.QemuImg, ["commit", "-q", "-d", chain.ToJsonFilename()], CommitLimit);

    /// <summary>
    /// Whether qemu-img failed because another process (a running VM) holds the image's lock.
    /// Decided from qemu-img's own words only, with the image's path taken out of them first:
    /// a path such as "/srv/blockstore/vm.qcow2" says nothing about locks.
    /// </summary>
    public static bool IsLockedByAnotherProcess(ToolException failure, string image) =>
        failure.Reason == ToolFailure.ExitedNonZero && LockConflict().IsMatch(failure.StandardError.Replace(image, "", StringComparison.Ordinal));

    [GeneratedRegex("""Failed to get (shared )?"\w+" lock""")]
    private static partial Regex LockConflict();
}
