using LibvirtHook.Domain;

namespace LibvirtHook.Tools;

/// <summary>virsh against the system daemon. Domains are named by UUID where the caller has it: no quoting, no look-alikes.</summary>
internal sealed class Virsh(ToolPaths tools)
{
    // A libvirtd that does not answer a query within this long is not going to.
    public static readonly TimeSpan QueryLimit = TimeSpan.FromSeconds(30);

    // A start runs the prepare hook (qemu-img) and starts QEMU; libvirt gives up on its own job locks after 30 s.
    public static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(5);

    public DomainState DomState(string domain) =>
        DomainState.Parse(ProcessRunner.Run(tools.Virsh, ["-c", tools.LibvirtUri, "domstate", "--reason", "--domain", domain], QueryLimit).StandardOutput);

    public string DumpXml(string domain) =>
        ProcessRunner.Run(tools.Virsh, ["-c", tools.LibvirtUri, "dumpxml", "--domain", domain], QueryLimit).StandardOutput;

    public void Start(string domain) =>
        ProcessRunner.Run(tools.Virsh, ["-c", tools.LibvirtUri, "start", "--domain", domain], StartLimit);

    /// <summary>Asks the guest to power off (ACPI by default) and returns at once; the guest may ignore it.</summary>
    public void Shutdown(string domain) =>
        ProcessRunner.Run(tools.Virsh, ["-c", tools.LibvirtUri, "shutdown", "--domain", domain], QueryLimit);

    /// <summary>Pulls the plug: returns once QEMU is gone and the release hook has run.</summary>
    public void Destroy(string domain) =>
        ProcessRunner.Run(tools.Virsh, ["-c", tools.LibvirtUri, "destroy", "--domain", domain], StartLimit);

    /// <summary>
    /// The persistent definition, the one the next start uses. With <paramref name="securityInfo"/>
    /// it keeps passwords (VNC, SPICE), so that defining it again loses nothing.
    /// </summary>
    public string DumpInactiveXml(string domain, bool securityInfo = false) =>
        ProcessRunner.Run(tools.Virsh, ["-c", tools.LibvirtUri, "dumpxml", "--inactive", .. securityInfo ? new[] { "--security-info" } : [], "--domain", domain], QueryLimit).StandardOutput;

    /// <summary>Replaces the persistent definition; a running domain keeps its live one until it stops.</summary>
    public void Define(string xmlFile) =>
        ProcessRunner.Run(tools.Virsh, ["-c", tools.LibvirtUri, "define", "--file", xmlFile], QueryLimit);

    /// <summary>False for a transient domain (created, never defined): it has no persistent definition.</summary>
    public bool IsPersistent(string domain) =>
        ProcessRunner.Run(tools.Virsh, ["-c", tools.LibvirtUri, "dominfo", "--domain", domain], QueryLimit).StandardOutput
            .Split('\n')
            .Any(l => l.StartsWith("Persistent:", StringComparison.Ordinal) && l.EndsWith("yes", StringComparison.Ordinal));

    /// <summary>
    /// Every domain libvirt knows and which are active, from one virsh process (both lists in one
    /// command string). The separator carries a random part: a domain name cannot fake it.
    /// </summary>
    public LibvirtDomains Domains()
    {
        var marker = $"@@libvirt-hook-{Guid.NewGuid():N}@@";
        var output = ProcessRunner.Run(tools.Virsh, ["-c", tools.LibvirtUri, "-q", $"list --all --uuid --name ; echo {marker} ; list --uuid"], QueryLimit).StandardOutput;
        var cut = output.IndexOf(marker, StringComparison.Ordinal);
        if (cut < 0)
            throw ToolException.Unexpected(tools.Virsh, ["list"], $"printed no \"{marker}\" between its two lists.");
        var active = output[(cut + marker.Length)..].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        return new LibvirtDomains { UuidOf = ByName(output[..cut]), Active = active };
    }

    /// <summary>
    /// The state of some domains and the persistent definition of others, from one virsh process:
    /// what status, check and metrics ask libvirt about all VMs at once.
    /// </summary>
    public DomainSurvey Survey(IReadOnlyCollection<string> statesOf, IReadOnlyCollection<string> definitionsOf)
    {
        var commands = statesOf.Select(u => (Key: "state " + u, Command: $"domstate --reason --domain {u}"))
            .Concat(definitionsOf.Select(u => (Key: "xml " + u, Command: $"dumpxml --inactive --domain {u}")))
            .ToList();
        var output = Batch(commands);
        return new DomainSurvey
        {
            States = output.Where(p => p.Key.StartsWith("state ", StringComparison.Ordinal) && p.Value.Length > 0 && !p.Value.Contains('\n'))
                .ToDictionary(p => p.Key[6..], p => DomainState.Parse(p.Value), StringComparer.Ordinal),
            Definitions = output.Where(p => p.Key.StartsWith("xml ", StringComparison.Ordinal) && p.Value.StartsWith("<domain", StringComparison.Ordinal))
                .ToDictionary(p => p.Key[4..], p => p.Value, StringComparer.Ordinal),
        };
    }

    /// <summary>
    /// Several commands in one virsh process, as virsh's own command string, split by a marker
    /// line each; commands name domains by UUID only, which needs no quoting. A command that fails
    /// writes only to stderr, and virsh goes on with the next.
    /// </summary>
    private Dictionary<string, string> Batch(IReadOnlyList<(string Key, string Command)> commands)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (commands.Count == 0)
            return result;
        if (commands.Any(c => !Guid.TryParse(c.Key[(c.Key.IndexOf(' ') + 1)..], out _)))
            throw new ArgumentException("Only UUIDs can be passed in a virsh command string.", nameof(commands));
        var marker = $"@@libvirt-hook-{Guid.NewGuid():N}@@";
        var keys = commands.Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        var script = string.Join(" ; ", commands.Select(c => $"echo {marker} {c.Key} ; {c.Command}"));
        var output = ProcessRunner.RunUnchecked(tools.Virsh, ["-c", tools.LibvirtUri, "-q", script], QueryLimit).StandardOutput;
        // virsh's echo ends its line only when the next command prints: a key is its kind, a space
        // and a UUID, so it is cut by length, not by line.
        foreach (var part in output.Split(marker + " ", StringSplitOptions.RemoveEmptyEntries))
        {
            var space = part.IndexOf(' ');
            var end = space + 1 + 36;
            if (space > 0 && part.Length >= end && keys.Contains(part[..end]))
                result[part[..end]] = part[end..].Trim();
        }

        return result;
    }

    /// <summary>Every domain libvirt knows, running or not, name to UUID: one virsh call for all of them (refresh).</summary>
    public IReadOnlyDictionary<string, string> UuidsByName() =>
        ByName(ProcessRunner.Run(tools.Virsh, ["-c", tools.LibvirtUri, "-q", "list", "--all", "--uuid", "--name"], QueryLimit).StandardOutput);

    /// <summary>Name to UUID from <c>list --all --uuid --name</c>; the first of two domains with one name wins.</summary>
    private static Dictionary<string, string> ByName(string listOutput)
    {
        var uuids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (uuid, name) in ParseUuidNameList(listOutput))
            uuids.TryAdd(name, uuid);
        return uuids;
    }

    /// <summary>Lines of "UUID NAME": the UUID is 36 characters, the rest of the line is the name, spaces included.</summary>
    public static IReadOnlyList<(string Uuid, string Name)> ParseUuidNameList(string output) =>
        output.Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .Where(l => l.Length > 37 && Guid.TryParse(l[..36], out _) && l[36] == ' ')
            .Select(l => (l[..36], l[37..]))
            .ToList();
}
