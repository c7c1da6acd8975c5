using System.Buffers.Binary;

namespace LibvirtHook.Tools;

/// <summary>
/// The virtual size of a qcow2 image from its header (big-endian u64 at byte 24), without a
/// qemu-img process: the monitoring commands read it for every overlay, fifty VMs at a time.
/// </summary>
internal static class Qcow2Header
{
    private static ReadOnlySpan<byte> Magic => [(byte)'Q', (byte)'F', (byte)'I', 0xFB];

    /// <returns>Null when the file is not qcow2 (or cannot be read, or is not a regular file).</returns>
    public static long? VirtualSize(string path)
    {
        try
        {
            // O_NONBLOCK and fstat first: a FIFO at an image's path must not hang check and metrics.
            using var file = Platform.OpenedFile.Open(path, followSymlinks: true);
            return file is null ? null : VirtualSize(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <returns>Null when the opened file is not a regular qcow2 file.</returns>
    public static long? VirtualSize(Platform.OpenedFile file)
    {
        if (!file.IsRegular)
            return null;
        Span<byte> header = stackalloc byte[32];
        if (file.Read(header, 0) < header.Length || !header[..4].SequenceEqual(Magic))
            return null;
        return (long)BinaryPrimitives.ReadUInt64BigEndian(header[24..]);
    }
}
