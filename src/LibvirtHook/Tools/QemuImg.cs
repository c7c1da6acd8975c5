using System.Text.Json;

namespace LibvirtHook.Tools;

/// <summary>qemu-img, through its stable interfaces only (JSON output, explicit formats).</summary>
public sealed class QemuImg(ToolPaths tools)
{
    /// <param name="shared">Open with <c>-U</c>: allowed while a VM holds the image, for reading only.</param>
    public ImageInfo Info(string image, bool shared = false)
    {
        var result = ProcessRunner.Run(tools.QemuImg, shared ? ["info", "-U", "--output=json", image] : ["info", "--output=json", image]);
        return JsonSerializer.Deserialize(result.StandardOutput, ToolsJsonContext.Default.ImageInfo)
            ?? throw new ToolException($"\"qemu-img info {image}\" printed no image description.");
    }

    /// <summary>
    /// Creates an empty qcow2 overlay. <paramref name="backingFile"/> may be relative: qemu
    /// resolves it against the overlay's directory.
    /// </summary>
    public void CreateOverlay(string overlay, string backingFile, string backingFormat) =>
        ProcessRunner.Run(tools.QemuImg, ["create", "-q", "-f", "qcow2", "-F", backingFormat, "-b", backingFile, overlay]);

    /// <summary>
    /// Writes the overlay's data into its backing file. <c>-d</c> leaves the overlay as it was,
    /// so an interrupted commit can simply be run again.
    /// </summary>
    public void Commit(string overlay) =>
        ProcessRunner.Run(tools.QemuImg, ["commit", "-q", "-d", overlay]);
}
