namespace LibvirtHook.Tools;

internal static class ImageFormats
{
    public static IReadOnlyList<ImageFormat> All { get; } = [ImageFormat.Qcow2, ImageFormat.Raw];

    /// <summary>The name qemu-img, libvirt and the config use.</summary>
    public static string Name(this ImageFormat format) => format switch
    {
        ImageFormat.Qcow2 => "qcow2",
        ImageFormat.Raw => "raw",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    public static bool TryParse(string? name, out ImageFormat format)
    {
        foreach (var candidate in All)
        {
            if (candidate.Name() == name)
            {
                format = candidate;
                return true;
            }
        }

        format = default;
        return false;
    }
}
