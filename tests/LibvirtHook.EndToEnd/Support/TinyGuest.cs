using System.Globalization;
using System.Security;
using LibvirtHook.Tools;

namespace LibvirtHook.EndToEnd.Support;

/// <summary>
/// The guest from Guest/counter.asm: it counts its boots in sector 1 of each disk and prints
/// what it saw on the serial port, so both the disk and the log show what the hook did.
/// </summary>
public sealed class TinyGuest(string workDirectory)
{
    public string CreateBootDisk(string path, GuestEnding ending, string format = "qcow2")
    {
        var raw = new byte[1024 * 1024];
        File.ReadAllBytes(Assemble(ending)).CopyTo(raw, 0);
        return WriteImage(path, raw, format);
    }

    public static string CreateDataDisk(string path, string format = "qcow2") => WriteImage(path, new byte[1024 * 1024], format);

    /// <summary>The counter in sector 1, read through the backing chain, even while a VM holds the image.</summary>
    public static uint ReadCounter(string image)
    {
        var output = image + ".dd";
        try
        {
            ProcessRunner.Run("qemu-img", ["dd", "-U", "-O", "raw", "bs=512", "count=2", $"if={image}", $"of={output}"]);
            return BitConverter.ToUInt32(File.ReadAllBytes(output), 512);
        }
        finally
        {
            File.Delete(output);
        }
    }

    public static IReadOnlyList<BootRecord> ReadSerial(string serialLog) =>
        !File.Exists(serialLog)
            ? []
            : File.ReadAllLines(serialLog)
                .Where(l => l.StartsWith("boot drive=", StringComparison.Ordinal))
                .Select(l => new BootRecord(
                    int.Parse(l.AsSpan(11, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    uint.Parse(l.AsSpan(19, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture)))
                .ToList();

    /// <summary>Every boot of a guest printed "done" once it had written its counters.</summary>
    public static int CountFinishedBoots(string serialLog) =>
        File.Exists(serialLog) ? File.ReadAllLines(serialLog).Count(l => l.StartsWith("done", StringComparison.Ordinal)) : 0;

    public static string DomainXml(string name, string serialLog, params (string Target, string Path)[] disks) =>
        GuestDomain.Xml(name, "qemu", 16, "<type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/>", "ide", serialLog, disks);

    private string Assemble(GuestEnding ending)
    {
        var output = Path.Combine(workDirectory, $"counter-{ending}.bin");
        if (!File.Exists(output))
        {
            var source = Path.Combine(AppContext.BaseDirectory, "Guest", "counter.asm");
            var symbol = ending switch
            {
                GuestEnding.Halt => "END_HALT",
                GuestEnding.PowerOff => "END_POWEROFF",
                _ => "END_RESET",
            };
            ProcessRunner.Run("nasm", ["-f", "bin", "-D" + symbol, "-o", output, source]);
        }

        return output;
    }

    private static string WriteImage(string path, byte[] content, string format)
    {
        var raw = path + ".raw";
        File.WriteAllBytes(raw, content);
        if (format == "raw")
        {
            File.Move(raw, path);
            return path;
        }

        ProcessRunner.Run("qemu-img", ["convert", "-q", "-f", "raw", "-O", format, raw, path]);
        File.Delete(raw);
        return path;
    }
}
