using System.Buffers.Binary;
using System.Text;

namespace LibvirtHook.EndToEnd.Support;

/// <summary>
/// Rewrites a qcow2 (version 3) header in place, as QEMU's user can: the fields and header
/// extensions of QEMU's docs/interop/qcow2.txt. Everything after the header's first cluster, the
/// L1/L2 tables and the data, stays as QEMU wrote it.
/// </summary>
public static class Qcow2Tamper
{
    private const uint BackingFormatExtension = 0xE2792ACA;
    private const uint ExternalDataFileExtension = 0x44415441;

    /// <summary>Incompatible feature bit 2: the guest's data lives in an external data file.</summary>
    private const ulong ExternalDataFileBit = 1UL << 2;

    /// <summary>What a header names: its backing file and that file's format, and an external data file if any.</summary>
    public sealed record Chain(string? BackingFile, string? BackingFormat, string? DataFile);

    /// <summary>The header's backing file name, read from the file (the format's offset and length fields).</summary>
    public static string BackingFileOf(string path)
    {
        var header = ReadHeader(path);
        var offset = (int)BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(8));
        var size = (int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(16));
        return Encoding.UTF8.GetString(header, offset, size);
    }

    /// <summary>
    /// Replaces the header extensions and backing file name with <paramref name="chain"/>'s, and
    /// sets the external data file bit when it names one.
    /// </summary>
    public static void Rewrite(string path, Chain chain)
    {
        var header = ReadHeader(path);
        BinaryPrimitives.ReadUInt32BigEndian(header).Should().Be(0x514649FB, "the file to tamper with must be a qcow2");
        BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4)).Should().Be(3, "the tamper writes version 3 headers");
        var headerLength = (int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(100));
        var clusterSize = 1 << (int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(20));

        var rewritten = new MemoryStream();
        rewritten.Write(header, 0, headerLength);
        if (chain.BackingFormat is { } format)
            WriteExtension(rewritten, BackingFormatExtension, format);
        if (chain.DataFile is { } dataFile)
            WriteExtension(rewritten, ExternalDataFileExtension, dataFile);
        WriteExtension(rewritten, 0, "");
        var backing = Encoding.UTF8.GetBytes(chain.BackingFile ?? "");
        var backingOffset = chain.BackingFile is null ? 0 : rewritten.Length;
        rewritten.Write(backing);
        var bytes = new byte[clusterSize];
        rewritten.ToArray().CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8), (ulong)backingOffset);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(16), (uint)backing.Length);
        var incompatible = BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(72));
        incompatible = chain.DataFile is null ? incompatible & ~ExternalDataFileBit : incompatible | ExternalDataFileBit;
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(72), incompatible);
        WriteAt(path, 0, bytes);
    }

    /// <summary>Overwrites the magic, so the file is no qcow2 at all.</summary>
    public static void BreakMagic(string path) => WriteAt(path, 0, [0, 0, 0, 0]);

    public static void Truncate(string path, long length)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.SetLength(length);
    }

    private static byte[] ReadHeader(string path)
    {
        using var file = File.OpenRead(path);
        var header = new byte[Math.Min(file.Length, 65536)];
        file.ReadExactly(header);
        return header;
    }

    private static void WriteExtension(Stream stream, uint type, string value)
    {
        var data = Encoding.UTF8.GetBytes(value);
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(head, type);
        BinaryPrimitives.WriteUInt32BigEndian(head[4..], (uint)data.Length);
        stream.Write(head);
        stream.Write(data);
        stream.Write(new byte[(8 - (data.Length % 8)) % 8]);
    }

    private static void WriteAt(string path, long offset, byte[] bytes)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.Position = offset;
        file.Write(bytes);
        file.Flush(flushToDisk: true);
    }
}
