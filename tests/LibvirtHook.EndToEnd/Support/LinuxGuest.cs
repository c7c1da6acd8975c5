using System.Diagnostics;
using System.Globalization;
using System.Security;
using LibvirtHook.Tools;

namespace LibvirtHook.EndToEnd.Support;

/// <summary>
/// A real Linux guest for the behaviours that need a real kernel (a guest's own reboot, ACPI
/// shutdown, a file system): Debian's kernel and a busybox initramfs built by
/// scripts/linux-guest.sh from Debian packages, booted directly (&lt;kernel&gt;, &lt;initrd&gt;,
/// &lt;cmdline&gt;) from an ext2 disk on virtio. Its /init counts boots in /boots, writes one
/// file per session and prints <c>GUEST ...</c> lines on ttyS0 (see the script).
/// </summary>
public sealed class LinuxGuest
{
    public const string CacheDirectory = "/var/cache/libvirt-hook-tests/linux-guest";

    /// <summary>The boot count every new disk starts with, so a guest that found no counter cannot pass for one that booted from the base.</summary>
    public const int BaseBoots = 41;

    private const string ProbeLine = "probe ok";

    private static readonly Lazy<(string Directory, LinuxAccelerator Accelerator)> Cache = new(BuildCache);

    private LinuxGuest(string kernel, string initrd, string kernelVersion, LinuxAccelerator accelerator)
    {
        Kernel = kernel;
        Initrd = initrd;
        KernelVersion = kernelVersion;
        Accelerator = accelerator;
    }

    public string Kernel { get; }

    public string Initrd { get; }

    /// <summary>The Debian package the kernel came from and its release.</summary>
    public string KernelVersion { get; }

    public LinuxAccelerator Accelerator { get; }

    /// <summary>
    /// The guest's kernel and initramfs, copied into <paramref name="directory"/> (once): libvirt
    /// relabels the kernel and initrd a domain boots, so each private libvirtd gets its own copy
    /// and the machine-wide cache is never chowned.
    /// </summary>
    public static LinuxGuest In(string directory)
    {
        var (cache, accelerator) = Cache.Value;
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        foreach (var file in new[] { "vmlinux", "initramfs.cpio" })
        {
            var target = Path.Combine(directory, file);
            if (!File.Exists(target))
            {
                File.Copy(Path.Combine(cache, file), target + ".copying", overwrite: true);
                File.Move(target + ".copying", target);
            }
        }

        return new LinuxGuest(
            Path.Combine(directory, "vmlinux"),
            Path.Combine(directory, "initramfs.cpio"),
            File.ReadAllText(Path.Combine(cache, "kernel-version")).Trim(),
            accelerator);
    }

    /// <summary>An ext2 disk of <paramref name="sizeMiB"/> MiB as a qcow2 image, holding only <c>/boots</c> = <see cref="BaseBoots"/>.</summary>
    public static string CreateDisk(string path, int sizeMiB = 64)
    {
        var seed = Directory.CreateDirectory(path + ".seed").FullName;
        var raw = path + ".raw";
        try
        {
            File.WriteAllText(Path.Combine(seed, "boots"), BaseBoots.ToString(CultureInfo.InvariantCulture) + "\n");
            using (var stream = File.Create(raw))
                stream.SetLength(sizeMiB * 1024L * 1024L);
            ProcessRunner.Run("mke2fs", ["-q", "-t", "ext2", "-F", "-d", seed, raw]);
            ProcessRunner.Run("qemu-img", ["convert", "-q", "-f", "raw", "-O", "qcow2", raw, path]);
            return path;
        }
        finally
        {
            File.Delete(raw);
            Directory.Delete(seed, recursive: true);
        }
    }

    /// <summary>The file system in an image, read through its backing chain (even while a VM holds it) with debugfs.</summary>
    public static LinuxDisk ReadDisk(string image)
    {
        var raw = image + ".read.raw";
        try
        {
            ProcessRunner.Run("qemu-img", ["convert", "-U", "-q", "-O", "raw", image, raw]);
            var boots = ProcessRunner.Run("debugfs", ["-R", "cat /boots", raw]).StandardOutput.Trim();
            // "ls -p": one "/inode/mode/uid/gid/name/size/" line per entry.
            var files = ProcessRunner.Run("debugfs", ["-R", "ls -p /", raw]).StandardOutput
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(l => l.Split('/'))
                .Where(f => f.Length >= 7 && f[5] is not ("." or ".." or "lost+found"))
                .Select(f => f[5])
                .Order(StringComparer.Ordinal)
                .ToList();
            return new LinuxDisk(int.Parse(boots, CultureInfo.InvariantCulture), files);
        }
        finally
        {
            File.Delete(raw);
        }
    }

    /// <summary>Everything the guest printed after <c>GUEST </c>, one entry per line, in order.</summary>
    public static IReadOnlyList<string> ReadGuestLines(string serialLog) =>
        !File.Exists(serialLog)
            ? []
            : File.ReadAllLines(serialLog)
                .Select(l => l.IndexOf("GUEST ", StringComparison.Ordinal) is var at and >= 0 ? l[(at + 6)..].Trim() : null)
                .OfType<string>()
                .ToList();

    public static int CountGuestLines(string serialLog, string line) => ReadGuestLines(serialLog).Count(l => l == line);

    public static IReadOnlyList<LinuxBoot> ReadBoots(string serialLog) =>
        ReadGuestLines(serialLog)
            .Where(l => l.StartsWith("boot=", StringComparison.Ordinal))
            .Select(l => l.Split(' ').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]))
            .Select(fields => new LinuxBoot(
                int.Parse(fields["boot"], CultureInfo.InvariantCulture),
                fields["session"],
                fields["files"].Split(',', StringSplitOptions.RemoveEmptyEntries)))
            .ToList();

    public string DomainXml(string name, string serialLog, string image, LinuxGuestMode mode) =>
        GuestDomain.Xml(name, Accelerator.DomainType, 128,
            $"""
            <type arch='x86_64' machine='pc'>hvm</type>
                <kernel>{SecurityElement.Escape(Kernel)}</kernel>
                <initrd>{SecurityElement.Escape(Initrd)}</initrd>
                <cmdline>console=ttyS0 quiet lhg={CommandLineMode(mode)}</cmdline>
            """,
            "virtio", serialLog, [("vda", image)]);

    private static string CommandLineMode(LinuxGuestMode mode) => mode switch
    {
        LinuxGuestMode.Reboot => "reboot",
        LinuxGuestMode.PowerOff => "poweroff",
        LinuxGuestMode.Acpi => "acpi",
        LinuxGuestMode.Fill => "fill",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown guest mode."),
    };

    private static (string Directory, LinuxAccelerator Accelerator) BuildCache()
    {
        foreach (var tool in new[] { "mke2fs", "debugfs", "apt-get", "apt-cache", "dpkg-deb" })
        {
            if (ProcessRunner.RunUnchecked("sh", ["-c", "command -v \"$0\"", tool]).ExitCode != 0)
                throw new InvalidOperationException($"THE END-TO-END SUITE CANNOT RUN: \"{tool}\" is not installed (apt-get install e2fsprogs); the Linux guest needs it.");
        }

        var script = Path.Combine(Prerequisites.RepositoryRoot, "scripts", "linux-guest.sh");
        var build = ProcessRunner.RunUnchecked(script, [CacheDirectory], TimeSpan.FromMinutes(10));
        if (build.ExitCode != 0)
            throw new InvalidOperationException($"THE END-TO-END SUITE CANNOT RUN: {script} could not build the Linux guest (exit code {build.ExitCode}): {build.StandardError.Trim()}");
        return (CacheDirectory, Accelerate(CacheDirectory));
    }

    /// <summary>
    /// KVM only when a probe boot of this very guest with KVM, as libvirt's QEMU user, reaches
    /// userspace: a /dev/kvm that opens is not enough (on some hosts it cannot run an unmodified
    /// Debian kernel). The answer is kept for the host's current boot and this kernel.
    /// </summary>
    private static LinuxAccelerator Accelerate(string cache)
    {
        if (!File.Exists("/dev/kvm"))
            return new LinuxAccelerator(false, "no /dev/kvm");
        // Beside the cache, not in it: a rebuild of the guest need not probe again.
        var key = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim() + " " + File.ReadAllText(Path.Combine(cache, "kernel-version")).Trim();
        var remembered = cache + ".accelerator";
        if (File.Exists(remembered) && File.ReadAllLines(remembered) is [var id, var kvm, var why] && id == key)
            return new LinuxAccelerator(kvm == "kvm", why + ", probed once since the host booted");

        var accelerator = Probe(cache);
        File.WriteAllLines(remembered + ".new", [key, accelerator.Kvm ? "kvm" : "tcg", accelerator.Why]);
        File.Move(remembered + ".new", remembered, overwrite: true);
        return accelerator;
    }

    private static LinuxAccelerator Probe(string cache)
    {
        const int seconds = 20;
        string[] qemu =
        [
            "qemu-system-x86_64", "-machine", "pc,accel=kvm", "-m", "128", "-nodefaults", "-display", "none",
            "-serial", "stdio", "-no-reboot", "-kernel", Path.Combine(cache, "vmlinux"),
            "-initrd", Path.Combine(cache, "initramfs.cpio"), "-append", "console=ttyS0 quiet lhg=probe",
        ];
        var user = ProcessRunner.RunUnchecked("id", ["-u", "libvirt-qemu"]).ExitCode == 0 ? "libvirt-qemu" : "root";
        var watch = Stopwatch.StartNew();
        try
        {
            var result = ProcessRunner.RunUnchecked(
                "setpriv", [$"--reuid={user}", $"--regid={user}", "--init-groups", "--", .. qemu], TimeSpan.FromSeconds(seconds));
            if (result.StandardOutput.Contains("GUEST " + ProbeLine, StringComparison.Ordinal))
                return new LinuxAccelerator(true, $"a probe boot with KVM as {user} reached userspace in {watch.Elapsed.TotalSeconds:F1} s");
            var error = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? $"exit code {result.ExitCode}";
            return new LinuxAccelerator(false, $"a probe boot with KVM as {user} failed: {error}");
        }
        catch (ToolException)
        {
            return new LinuxAccelerator(false, $"a probe boot with KVM as {user} printed nothing within {seconds} s: this /dev/kvm cannot run Debian's kernel");
        }
    }
}
