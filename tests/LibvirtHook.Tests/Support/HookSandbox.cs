using System.Security.Cryptography;
using LibvirtHook.Hook;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Support;

/// <summary>A hook with all its paths in a temp directory, and images made by the real qemu-img.</summary>
internal sealed class HookSandbox : IDisposable
{
    private readonly TempDirectory _temp = new();

    public HookSandbox()
    {
        Paths = new HookPaths
        {
            ConfigDirectory = Directory.CreateDirectory(_temp.File("config")).FullName,
            StateDirectory = _temp.File("state"),
            LogFile = _temp.File("log/hooks.log"),
            DomainLogDirectory = Directory.CreateDirectory(_temp.File("log")).FullName,
            ManagedSaveDirectory = Directory.CreateDirectory(_temp.File("save")).FullName,
        };
        File.SetUnixFileMode(Paths.ConfigDirectory, (UnixFileMode)0b111_101_101);
        Images = Directory.CreateDirectory(_temp.File("images")).FullName;
    }

    public HookPaths Paths { get; }

    public string Images { get; }

    public string Root => _temp.Path;

    public string Image(string name) => Path.Combine(Images, name);

    public void WriteConfig(string domain, string json)
    {
        var path = Paths.ConfigFile(domain);
        File.WriteAllText(path, json);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
    }

    /// <summary>A 1 MiB qcow2 (or raw) image whose first sector is filled with <paramref name="pattern"/>.</summary>
    public string CreateImage(string name, string format = "qcow2", byte pattern = 0xB0)
    {
        var path = Image(name);
        ProcessRunner.Run("qemu-img", ["create", "-q", "-f", format, path, "1M"]);
        WritePattern(path, pattern, format);
        return path;
    }

    /// <summary>Writes the first sector the way a guest would: through the image's backing chain.</summary>
    public static void WritePattern(string image, byte pattern, string format = "qcow2") =>
        ProcessRunner.Run("qemu-io", ["-f", format, "-c", $"write -q -P {pattern} 0 512", image]);

    /// <summary>What a guest would read in the first sector (following the backing chain).</summary>
    public static byte ReadPattern(string image)
    {
        var output = image + ".read";
        try
        {
            ProcessRunner.Run("qemu-img", ["dd", "-U", "-O", "raw", "bs=512", "count=1", $"if={image}", $"of={output}"]);
            return File.ReadAllBytes(output)[0];
        }
        finally
        {
            File.Delete(output);
        }
    }

    public static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    /// <param name="worker">The program both workers run as (restart and discard); null starts none: thrown-away overlays go within the call, as the discard worker would remove them soon after.</param>
    public (int ExitCode, string Stderr) Run(string domain, string operation, string xml, string extra = "-", ToolPaths? tools = null, string? worker = null)
    {
        var stderr = new StringWriter();
        var call = new HookCall { Domain = domain, Operation = operation, Extra = extra };
        var code = new HookRunner(Paths, tools ?? ToolPaths.Default, worker is null ? null : new LibvirtHook.Platform.WorkerProgram(worker)).Run(call, new StringReader(xml), stderr);
        return (code, stderr.ToString());
    }

    public static string DomainXml(string name, params (string Target, string Path)[] disks) =>
        $"""
        <domain type='qemu'>
          <name>{System.Security.SecurityElement.Escape(name)}</name>
          <uuid>8d3c6a2e-0000-4000-8000-000000000001</uuid>
          <on_reboot>destroy</on_reboot>
          <devices>
        {string.Concat(disks.Select(d => $"""
            <disk type='file' device='disk'>
              <driver name='qemu' type='qcow2'/>
              <source file='{System.Security.SecurityElement.Escape(d.Path)}'/>
              <target dev='{d.Target}' bus='virtio'/>
            </disk>

        """))}
          </devices>
        </domain>
        """;

    public void Dispose() => _temp.Dispose();
}
