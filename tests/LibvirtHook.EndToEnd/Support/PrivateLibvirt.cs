using System.Diagnostics;
using LibvirtHook.Logging;
using LibvirtHook.Tools;
using Xunit.Abstractions;

namespace LibvirtHook.EndToEnd.Support;

/// <summary>
/// A real libvirtd and virtlogd in a private mount and pid namespace (scripts/libvirt-namespace.sh),
/// with the AOT hook installed as their /etc/libvirt/hooks/qemu. The daemons are the host's, or
/// those of a Debian root (<see cref="LibvirtUnderTest"/>) that becomes the namespace's `/`.
/// Every libvirt directory (config, state, logs, sockets, hooks) is a bind mount of a temp
/// directory, so the host's own libvirt is never touched and the tests can read and write those
/// files directly; <see cref="Root"/> is at the same path on both sides, so paths in domain XML
/// and configs mean the same file. Everything the suite starts dies with the namespace.
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
    private readonly string _init;

    public PrivateLibvirt(IMessageSink diagnostics)
    {
        Under = LibvirtUnderTest.FromEnvironment();
        Prerequisites.Check(Under);
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

        // The namespace lives while its PID 1 waits on our pipe; everything else enters it with nsenter.
        _holder = StartNamespace();
        _init = FindNamespaceInit(_holder.Id).ToString(System.Globalization.CultureInfo.InvariantCulture);
        StartDaemons();
        Version = Virsh("version", "--daemon").StandardOutput.Trim();
        diagnostics.OnMessage(new Xunit.Sdk.DiagnosticMessage($"End-to-end suite on {Under}, daemon libvirtd: {string.Join("; ", Version.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))}"));
    }

    /// <summary>Which libvirt runs: the host's or a Debian root's.</summary>
    public LibvirtUnderTest Under { get; }

    /// <summary>What <c>virsh version --daemon</c> said: the library, the daemon and QEMU versions that ran.</summary>
    public string Version { get; }

    /// <summary>The running daemon's version, from <see cref="Version"/>.</summary>
    public Version DaemonVersion => System.Version.Parse(Version.Split('\n').Single(l => l.Contains("Running against daemon:", StringComparison.Ordinal)).Split(':')[1].Trim().Split(' ')[0]);

    /// <summary>libvirt 10.5 and later pass the shut-off reason to release; before, the hook reads the domain log.</summary>
    public bool PassesShutoffReason => DaemonVersion >= new Version(10, 5);

    /// <summary>What a release line's reason-from= says on this libvirt when libvirt knows the reason.</summary>
    public string ShutoffReasonSource => LogCatalog.Name(PassesShutoffReason ? LibvirtHook.Hook.ReasonSource.Argument : LibvirtHook.Hook.ReasonSource.DomainLog);

    public string Root { get; }

    public string Images { get; }

    public TinyGuest Guest { get; }

    public string HookPath => Path.Combine(Root, "hooks", "qemu");

    public string FaultInjectionHookPath => Path.Combine(Root, "faults", "qemu");

    public string AdminPath => Path.Combine(Root, "bin", "libvirt-hook");

    /// <summary>The admin command, run inside the namespace so it sees the private libvirtd and paths.</summary>
    public ProcessResult Admin(params string[] arguments) => InNamespaceUnchecked([AdminPath, .. arguments]);

    /// <summary>
    /// The hook's paths as the tests reach them from the host side: production's
    /// <see cref="HookPaths.Default"/> with each mount point replaced by the temp directory
    /// mounted there, so every config, journal, hold or marker path is built by HookPaths.
    /// </summary>
    internal HookPaths Paths => new()
    {
        ConfigDirectory = Outside(HookPaths.Default.ConfigDirectory),
        StateDirectory = Outside(HookPaths.Default.StateDirectory),
        LogFile = Outside(HookPaths.Default.LogFile),
        DomainLogDirectory = Outside(HookPaths.Default.DomainLogDirectory),
        ManagedSaveDirectory = Outside(HookPaths.Default.ManagedSaveDirectory),
    };

    public string ConfigDirectory => Paths.ConfigDirectory;

    public string StateDirectory => Paths.StateDirectory;

    public string HooksLog => Paths.LogFile;

    public string DomainLog(string domain) => Paths.DomainLogFile(domain);

    /// <summary>The host side of a path under one of the <see cref="Mounts"/>.</summary>
    private string Outside(string inside)
    {
        var (name, mountPoint) = Mounts.Single(m => inside.StartsWith(m.MountPoint + "/", StringComparison.Ordinal));
        return Path.Combine(Root, name, inside[(mountPoint.Length + 1)..]);
    }

    public string ReadHooksLog() => File.Exists(HooksLog) ? File.ReadAllText(HooksLog) : "";

    /// <summary>Runs a command inside the namespaces (mount and pid, and the root's `/`), as libvirtd's peers.</summary>
    public ProcessResult InNamespace(params string[] command) =>
        ProcessRunner.Run("nsenter", ["-t", _init, "-m", "-p", "-r", "-w", "--", .. command], TimeSpan.FromSeconds(60));

    public ProcessResult InNamespaceUnchecked(params string[] command) =>
        ProcessRunner.RunUnchecked("nsenter", ["-t", _init, "-m", "-p", "-r", "-w", "--", .. command], TimeSpan.FromSeconds(60));

    /// <summary>The host's path to a file as the daemons see it (their `/` may be a Debian root's).</summary>
    public string PathInside(string path) => $"/proc/{_init}/root/{path.TrimStart('/')}";

    /// <summary>SIGKILLs a process of the namespace, by its pid there (pid files hold those).</summary>
    public void Kill(int pid)
    {
        InNamespace("kill", "-KILL", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        WaitFor(() => !IsRunning(pid), $"process {pid} of the namespace to die");
    }

    /// <summary>Whether a pid of the namespace is alive; its PID 1 reaps at once, so a dead one disappears.</summary>
    public bool IsRunning(int pid) => pid > 0 && Directory.Exists(PathInside($"/proc/{pid}"));

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
        var path = ConfigPath(domain);
        File.WriteAllText(path, json);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
    }

    public string ConfigPath(string domain) => Paths.ConfigFile(domain);

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

    /// <summary>SIGKILLs libvirtd as a crash would; <see cref="StartLibvirtd"/> starts it again.</summary>
    public void KillLibvirtd() => Kill(LibvirtdPid);

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
            // EOF on its stdin ends the namespace's PID 1, and the kernel kills all that is left in it.
            _holder.StandardInput.Close();
            if (!_holder.WaitForExit(10_000))
                TryKill(int.Parse(_init, System.Globalization.CultureInfo.InvariantCulture));
            _holder.WaitForExit(10_000);
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

    private Process StartNamespace()
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        start.ArgumentList.Add(Prerequisites.NamespaceScript);
        if (Under.RootDirectory is { } root)
        {
            foreach (var argument in new[] { "--root", root, "--share", Root })
                start.ArgumentList.Add(argument);
        }

        foreach (var (name, mountPoint) in Mounts)
        {
            foreach (var argument in new[] { "--bind", Path.Combine(Root, name), mountPoint })
                start.ArgumentList.Add(argument);
        }

        foreach (var argument in new[] { "--", "sh", "-c", "echo ready; exec cat >/dev/null" })
            start.ArgumentList.Add(argument);
        var holder = Process.Start(start)!;
        var errors = holder.StandardError.ReadToEndAsync();
        var ready = holder.StandardOutput.ReadLineAsync();
        if (!ready.Wait(TimeSpan.FromSeconds(30)) || ready.Result != "ready")
        {
            holder.StandardInput.Close();
            holder.WaitForExit(10_000);
            throw new InvalidOperationException(
                $"THE END-TO-END SUITE CANNOT RUN: the private namespace for {Under} did not come up: {(errors.IsCompleted ? errors.Result.Trim() : "no answer in 30 s")}");
        }

        return holder;
    }

    /// <summary>The host's pid of the namespace's PID 1: the descendant of the holder that is pid 1 in its own pid namespace.</summary>
    private static int FindNamespaceInit(int holder)
    {
        var pending = new Queue<int>([holder]);
        while (pending.TryDequeue(out var pid))
        {
            var nsPids = File.ReadAllLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("NSpid:", StringComparison.Ordinal))?.Split('\t', StringSplitOptions.RemoveEmptyEntries) ?? [];
            if (nsPids.Length > 2 && nsPids[^1] == "1")
                return pid;
            foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
            {
                foreach (var child in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    pending.Enqueue(int.Parse(child, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        throw new InvalidOperationException($"THE END-TO-END SUITE CANNOT RUN: no pid namespace below process {holder}.");
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
