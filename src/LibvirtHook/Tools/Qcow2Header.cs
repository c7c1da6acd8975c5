using System.Buffers.Binary;
using System.Text;
using LibvirtHook.Platform;

namespace LibvirtHook.Tools;

/// <summary>
/// A qcow2 header, read by the hook itself from a descriptor, in one place. <see cref="Read"/>:
/// what it says about the files it makes QEMU open (its backing file and format, an external data
/// file), for a commit; whoever wrote the file (QEMU's user, for an overlay) chooses these bytes,
/// and qemu-img would act on them. <see cref="VirtualSize(OpenedFile)"/>: the virtual size alone
/// (big-endian u64 at byte 24), without a qemu-img process: the monitoring commands read it for
/// every overlay, fifty VMs at a time.
/// </summary>
internal sealed record Qcow2Header
{
    public const ulong DirtyBit = 1, CorruptBit = 2, ExternalDataFileBit = 4, CompressionTypeBit = 8, ExtendedL2Bit = 16;

    private const uint BackingFormatExtension = 0xE2792ACA;
    private const uint ExternalDataFileExtension = 0x44415441;

    // The header, its extensions and the backing file's name must fit in the first cluster; 2 MiB is qcow2's largest.
    private const int MaxHeaderBytes = 2 * 1024 * 1024;

    // Magic and version, offsets of backing file name and size, cluster bits, and the size at 24.
    private const int FixedFieldsBytes = 32;

    private static ReadOnlySpan<byte> Magic => [(byte)'Q', (byte)'F', (byte)'I', 0xFB];

    public required uint Version { get; init; }

    /// <summary>The disk's size as the guest sees it (<see cref="VirtualSize(OpenedFile)"/> reads this field alone).</summary>
    public required long VirtualBytes { get; init; }

    public required uint CryptMethod { get; init; }

    public string? BackingFile { get; init; }

    public string? BackingFormat { get; init; }

    public string? ExternalDataFile { get; init; }

    public ulong IncompatibleFeatures { get; init; }

    /// <returns>Null when the file is not qcow2 (or cannot be read, or is not a regular file).</returns>
    public static long? VirtualSize(string path)
    {
        try
        {
            // O_NONBLOCK and fstat first: a FIFO at an image's path must not hang check and metrics.
            using var file = OpenedFile.Open(path, followSymlinks: true);
            return file is null ? null : VirtualSize(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <returns>Null when the opened file is not a regular qcow2 file.</returns>
    public static long? VirtualSize(OpenedFile file)
    {
        if (!file.IsRegular)
            return null;
        Span<byte> header = stackalloc byte[FixedFieldsBytes];
        if (file.Read(header, 0) < header.Length || !HasMagic(header))
            return null;
        return VirtualSizeField(header);
    }

    /// <returns>The header's fields, or null with the reason when the file is not a readable qcow2 image.</returns>
    public static (Qcow2Header? Header, string? Problem) Read(OpenedFile file)
    {
        var first = new byte[104];
        var length = file.Read(first, 0);
        if (length < 72 || !HasMagic(first))
            return (null, length < 4 ? $"it is only {length} bytes long" : "it does not start with qcow2's magic bytes");
        var version = BinaryPrimitives.ReadUInt32BigEndian(first.AsSpan(4));
        if (version is not (2 or 3))
            return (null, $"its qcow2 version is {version}, not 2 or 3");
        var clusterBits = BinaryPrimitives.ReadUInt32BigEndian(first.AsSpan(20));
        if (clusterBits is < 9 or > 21)
            return (null, $"its cluster size (2^{clusterBits}) is not one qcow2 allows");
        if (version == 3 && length < 104)
            return (null, $"its qcow2 v3 header is cut short ({length} bytes)");

        var cluster = new byte[Math.Min(1 << (int)clusterBits, MaxHeaderBytes)];
        var read = file.Read(cluster, 0);
        var header = cluster.AsSpan(0, read);
        var backingOffset = BinaryPrimitives.ReadUInt64BigEndian(header[8..]);
        var backingSize = BinaryPrimitives.ReadUInt32BigEndian(header[16..]);
        var headerLength = version == 3 ? BinaryPrimitives.ReadUInt32BigEndian(header[100..]) : 72u;

        if (headerLength < 72 || headerLength > (uint)read)
            return (null, $"its header length ({headerLength}) does not fit its first cluster");

        string? backing = null;
        if (backingOffset != 0)
        {
            if (backingSize > 1023 || backingOffset + backingSize > (ulong)read)
                return (null, "its backing file name lies outside its first cluster");
            backing = Encoding.UTF8.GetString(header.Slice((int)backingOffset, (int)backingSize));
        }

        string? backingFormat = null, dataFile = null;
        var at = (int)headerLength;
        while (true)
        {
            if (at + 8 > read)
                return (null, "its header extensions run past its first cluster");
            var type = BinaryPrimitives.ReadUInt32BigEndian(header[at..]);
            var size = (int)BinaryPrimitives.ReadUInt32BigEndian(header[(at + 4)..]);
            if (type == 0)
                break;
            if (size < 0 || at + 8 + size > read)
                return (null, "its header extensions run past its first cluster");
            var data = header.Slice(at + 8, size);
            if (type == BackingFormatExtension)
                backingFormat = Encoding.UTF8.GetString(data);
            else if (type == ExternalDataFileExtension)
                dataFile = Encoding.UTF8.GetString(data);
            at += 8 + ((size + 7) & ~7);
        }

        return (new Qcow2Header
        {
            Version = version,
            VirtualBytes = VirtualSizeField(header),
            CryptMethod = BinaryPrimitives.ReadUInt32BigEndian(header[32..]),
            BackingFile = backing,
            BackingFormat = backingFormat,
            ExternalDataFile = dataFile,
            IncompatibleFeatures = version == 3 ? BinaryPrimitives.ReadUInt64BigEndian(header[72..]) : 0,
        }, null);
    }

    private static bool HasMagic(ReadOnlySpan<byte> header) => header[..4].SequenceEqual(Magic);

    private static long VirtualSizeField(ReadOnlySpan<byte> header) => (long)BinaryPrimitives.ReadUInt64BigEndian(header[24..]);
}
