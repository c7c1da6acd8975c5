using System.Diagnostics;
using LibvirtHook.Logging;
using LibvirtHook.Tools;

namespace LibvirtHook.EndToEnd.Support;

/// <summary>
/// A real libvirtd and virtlogd in a private mount namespace, with the AOT hook installed as
/// their /etc/libvirt/hooks/qemu. Every libvirt directory (config, state, logs, sockets,
/// hooks) is a bind mount of a temp directory, so the host's own libvirt is never touched and
/// the tests can read and write those files directly.
/// </summary>
public sealed class PrivateLibvirt : IDisposable
{
    private static readonly (string Name, string MountPoint)[] Mounts =
    [
        ("hooks", "/etc/libvirt/hooks"),
        ("etc-qemu", "/etc/libvirt/qemu"),
        ("log", "/var/log/libvirt"),
        ("run", "/run/libvirt"),
        ("lib", "/var/lib/libvirt"),
        ("cache", "/var/cache/libvirt"),
    ];

    private readonly Process _holder;

    public PrivateLibvirt()
    {
        Prerequisites.Check();
        Root = Directory.CreateTempSubdirectory("libvirt-hook-e2e-").FullName;
        Chmod755(Root);
        foreach (var (name, _) in Mounts)
            Chmod755(Directory.CreateDirectory(Path.Combine(Root, name)).FullName);
        Chmod755(Directory.CreateDirectory(ConfigDirectory).FullName);
        Images = Directory.CreateDirectory(Path.Combine(Root, "images")).FullName;
        Chmod755(Images);
        File.Copy(Prerequisites.HookBinary, HookPath);
        // The binary is the hook only when it runs as ".../qemu"; under its own name it is the admin command.
        Directory.CreateDirectory(Path.GetDirectoryName(FaultInjectionHookPath)!);
        File.Copy(Prerequisites.FaultInjectionBinary, FaultInjectionHookPath);
        Directory.CreateDirectory(Path.GetDirectoryName(AdminPath)!);
        File.Copy(Prerequisites.HookBinary, AdminPath);
        Guest = new TinyGuest(Directory.CreateDirectory(Path.Combine(Root, "guest")).FullName);

        // The namespace lives as long as this process; everything else enters it with nsenter.
        _holder = Process.Start(new ProcessStartInfo("unshare", ["--mount", "--propagation", "private", "sleep", "infinity"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        WaitFor(() => File.ReadAllText($"/proc/{_holder.Id}/comm").Trim() == "sleep", "the namespace holder to start");
        foreach (var (name, mountPoint) in Mounts)
        {
            Directory.CreateDirectory(mountPoint);
            InNamespace("mount", "--bind", Path.Combine(Root, name), mountPoint);
        }

        StartDaemons();
    }

    public string Root { get; }

    public string Images { get; }

    public TinyGuest Guest { get; }

    public string HookPath => Path.Combine(Root, "hooks", "qemu");

    public string FaultInjectionHookPath => Path.Combine(Root, "faults", "qemu");

    public string AdminPath => Path.Combine(Root, "bin", "libvirt-hook");

    /// <summary>The admin command, run inside the namespace so it sees the private libvirtd and paths.</summary>
    public ProcessResult Admin(params string[] arguments) => InNamespaceUnchecked([AdminPath, .. arguments]);

    public string ConfigDirectory => Path.Combine(Root, "hooks", "config");

    public string StateDirectory => Path.Combine(Root, "lib", "libvirt-hook");

    public string HooksLog => Path.Combine(Root, "log", "qemu", "hooks.log");

    public string DomainLog(string domain) => Path.Combine(Root, "log", "qemu", domain + ".log");

    public string ReadHooksLog() => File.Exists(HooksLog) ? File.ReadAllText(HooksLog) : "";

    public ProcessResult InNamespace(params string[] command) =>
        ProcessRunner.Run("nsenter", ["-t", _holder.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", "--", .. command], TimeSpan.FromSeconds(60));

    public ProcessResult InNamespaceUnchecked(params string[] command) =>
        ProcessRunner.RunUnchecked("nsenter", ["-t", _holder.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", "--", .. command], TimeSpan.FromSeconds(60));

    /// <summary>Runs a hook binary the way libvirtd does (argv, domain XML on stdin), inside the namespace.</summary>
    public ProcessResult RunHook(string binary, string domain, string operation, string xmlFile, string extra = "-", string? killAt = null) =>
        InNamespaceUnchecked(
            "env", $"{LibvirtHook.FaultInjection.EnvironmentVariable}={killAt ?? ""}",
            "sh", "-c", "exec \"$0\" \"$1\" \"$2\" begin \"$3\" < \"$4\"", binary, domain, operation, extra, xmlFile);

    public ProcessResult Virsh(params string[] arguments) => InNamespace(["virsh", "-q", "-c", "qemu:///system", .. arguments]);

    public ProcessResult VirshUnchecked(params string[] arguments) => InNamespaceUnchecked(["virsh", "-q", "-c", "qemu:///system", .. arguments]);

    public string DomainState(string domain) => Virsh("domstate", "--domain", domain).StandardOutput.Trim();

    public void WaitForState(string domain, string state, int seconds = 30) =>
        WaitFor(() => DomainState(domain) == state, $"domain \"{domain}\" to be {state}", seconds);

    /// <summary>Waits until libvirt has run the release hook for the domain <paramref name="count"/> times in all.</summary>
    public void WaitForReleases(string domain, int count, int seconds = 30) =>
        WaitFor(() => CountLogLines(domain, l => l.Ended("release")) >= count, $"release hook #{count} of \"{domain}\"", seconds);

    /// <summary>hooks.log's lines for one domain, read through the log's own catalogue.</summary>
    public IReadOnlyList<LogLine> LogLines(string domain) => [.. LogLine.ParseAll(ReadHooksLog()).Where(l => l.Vm == domain)];

    public int CountLogLines(string domain, Func<LogLine, bool> matches) => LogLines(domain).Count(matches);

    public void WriteConfig(string domain, string json)
    {
        var path = Path.Combine(ConfigDirectory, domain + ".json");
        File.WriteAllText(path, json);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
    }

    public string ConfigPath(string domain) => Path.Combine(ConfigDirectory, domain + ".json");

    public void Define(string domainXml)
    {
        var file = Path.Combine(Root, "define-" + Guid.NewGuid().ToString("N") + ".xml");
        File.WriteAllText(file, domainXml);
        Virsh("define", file);
        File.Delete(file);
    }

    /// <summary>Removes a test's domain whatever state it is in.</summary>
    public void Forget(string domain)
    {
        VirshUnchecked("destroy", "--domain", domain);
        VirshUnchecked("managedsave-remove", "--domain", domain);
        VirshUnchecked("undefine", "--domain", domain);
    }

    public int LibvirtdPid => ReadPid(Path.Combine(Root, "run", "libvirtd.pid"));

    public int QemuPid(string domain) => ReadPid(Path.Combine(Root, "run", "qemu", domain + ".pid"));

    /// <summary>SIGKILLs libvirtd as a crash would, and starts it again in the namespace.</summary>
    public void KillLibvirtd()
    {
        var pid = LibvirtdPid;
        Process.GetProcessById(pid).Kill();
        WaitFor(() => !Directory.Exists($"/proc/{pid}"), "libvirtd to die");
    }

    public void StartLibvirtd()
    {
        File.Delete(Path.Combine(Root, "run", "libvirtd.pid"));
        InNamespace("libvirtd", "-d", "-p", "/run/libvirt/libvirtd.pid");
        WaitFor(() => VirshUnchecked("list").ExitCode == 0, "libvirtd to answer");
    }

    public void Dispose()
    {
        try
        {
            foreach (var name in VirshUnchecked("list", "--all", "--name").StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                Forget(name.Trim());
        }
        finally
        {
            foreach (var pidFile in new[] { "run/libvirtd.pid", "run/virtlogd.pid" })
                TryKill(ReadPid(Path.Combine(Root, pidFile)));
            foreach (var pidFile in Directory.Exists(Path.Combine(Root, "run", "qemu")) ? Directory.GetFiles(Path.Combine(Root, "run", "qemu"), "*.pid") : [])
                TryKill(ReadPid(pidFile));
            TryKill(_holder.Id);
            _holder.WaitForExit(5000);
            _holder.Dispose();
            Directory.Delete(Root, recursive: true);
        }
    }

    public static void WaitFor(Func<bool> condition, string what, int seconds = 30)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(seconds))
                throw new TimeoutException($"Gave up waiting {seconds} s for {what}.");
            Thread.Sleep(50);
        }
    }

    private void StartDaemons()
    {
        InNamespace("virtlogd", "-d", "-p", "/run/libvirt/virtlogd.pid");
        StartLibvirtd();
    }

    private static int ReadPid(string file) =>
        File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out var pid) ? pid : 0;

    private static void TryKill(int pid)
    {
        if (pid <= 0)
            return;
        try
        {
            Process.GetProcessById(pid).Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
        }
    }

    private static void Chmod755(string path) => File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
}
