using System.Buffers.Binary;

namespace LibvirtHook.Tools;

/// <summary>
/// The virtual size of a qcow2 image from its header (big-endian u64 at byte 24), without a
/// qemu-img process: the monitoring commands read it for every overlay, fifty VMs at a time.
/// </summary>
internal static class Qcow2Header
{
    private static ReadOnlySpan<byte> Magic => [(byte)'Q', (byte)'F', (byte)'I', 0xFB];

    /// <returns>Null when the file is not qcow2 (or cannot be read).</returns>
    public static long? VirtualSize(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            Span<byte> header = stackalloc byte[32];
            if (RandomAccess.Read(handle, header, 0) < header.Length || !header[..4].SequenceEqual(Magic))
                return null;
            return (long)BinaryPrimitives.ReadUInt64BigEndian(header[24..]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
