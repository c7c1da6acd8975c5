namespace LibvirtHook.EndToEnd.Support;

/// <summary>
/// The end-to-end suite never pretends: without root, libvirt, QEMU or the AOT hook binary it
/// fails with a message that says what is missing, instead of skipping.
/// </summary>
public static class Prerequisites
{
    public static string HookBinary =>
        Environment.GetEnvironmentVariable("LIBVIRT_HOOK_BINARY") is { Length: > 0 } path
            ? path
            : Path.Combine(RepositoryRoot, "artifacts", "hook", "libvirt-hook");

    /// <summary>The same code built with <c>-c FaultInjection</c>: it SIGKILLs itself at a named step.</summary>
    public static string FaultInjectionBinary =>
        Environment.GetEnvironmentVariable("LIBVIRT_HOOK_FAULTS_BINARY") is { Length: > 0 } path
            ? path
            : Path.Combine(RepositoryRoot, "artifacts", "hook-faults", "libvirt-hook");

    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "LibvirtHook.sln")))
                directory = directory.Parent;
            return directory?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (LibvirtHook.sln) above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Debian's python3 with Debian's prometheus_client: not whatever python3 comes first on PATH.</summary>
    public const string Python = "/usr/bin/python3";

    public const string PrometheusClientParser = "/usr/lib/python3/dist-packages/prometheus_client/parser.py";

    /// <summary>Debian's prometheus and prometheus-node-exporter (PrometheusSpecs run them on the host, on both legs).</summary>
    public const string Prometheus = "/usr/bin/prometheus";

    public const string Promtool = "/usr/bin/promtool";

    public const string NodeExporter = "/usr/bin/prometheus-node-exporter";

    public static string NamespaceScript => Path.Combine(RepositoryRoot, "scripts", "libvirt-namespace.sh");

    public static void Check(LibvirtUnderTest libvirt)
    {
        var problems = new List<string>();
        if (LibvirtHook.Platform.Native.GetEffectiveUserId() != 0)
            problems.Add("it must run as root (it starts a private libvirtd in its own mount and pid namespace)");
        // The specs themselves make images and read them on the host; the daemons run from the libvirt under test.
        foreach (var tool in new[] { "qemu-img", "qemu-io", "nasm", "unshare", "nsenter" })
        {
            if (!OnPath(tool))
                problems.Add($"\"{tool}\" is not installed (apt-get install qemu-utils nasm util-linux)");
        }

        if (libvirt.RootDirectory is { } root)
        {
            if (!File.Exists(Path.Combine(root, LibvirtUnderTest.RootMarker)))
                problems.Add($"{LibvirtUnderTest.EnvironmentVariable}=\"{root}\" is not a finished root (build it with scripts/debian-root.sh, or leave {LibvirtUnderTest.EnvironmentVariable} empty for the host's libvirt)");
        }
        else
        {
            foreach (var tool in new[] { "libvirtd", "virtlogd", "virsh", "qemu-system-x86_64" })
            {
                if (!OnPath(tool))
                    problems.Add($"\"{tool}\" is not installed (apt-get install libvirt-daemon-system qemu-system-x86)");
            }
        }

        if (!File.Exists(NamespaceScript))
            problems.Add($"the namespace script \"{NamespaceScript}\" is missing");

        // MonitoringSpecs check metrics with a real Prometheus text parser, Debian's.
        if (!File.Exists(PrometheusClientParser))
            problems.Add("Debian's Prometheus text parser is not installed (apt-get install python3-prometheus-client)");

        if (!File.Exists(Prometheus) || !File.Exists(Promtool) || !File.Exists(NodeExporter))
            problems.Add("Debian's Prometheus server, promtool or node_exporter is not installed (apt-get install prometheus prometheus-node-exporter)");

        if (!File.Exists(HookBinary))
            problems.Add($"the AOT hook binary \"{HookBinary}\" does not exist (build it with ./test.sh, or set LIBVIRT_HOOK_BINARY)");
        if (!File.Exists(FaultInjectionBinary))
            problems.Add($"the fault-injection build \"{FaultInjectionBinary}\" does not exist (build it with ./test.sh, or set LIBVIRT_HOOK_FAULTS_BINARY)");

        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                "THE END-TO-END SUITE CANNOT RUN: " + string.Join("; ", problems) + $". Nothing was tested against {libvirt}.");
        }
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':')
            .Append("/usr/sbin")
            .Any(directory => File.Exists(Path.Combine(directory, tool)));
}
