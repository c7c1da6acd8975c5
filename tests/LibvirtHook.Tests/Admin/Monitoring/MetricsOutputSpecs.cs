using LibvirtHook.Admin;
using LibvirtHook.Tests.Support;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Admin.Monitoring;

/// <summary>
/// Issue 15: metrics --output runs as root, often from a timer, into a directory another service
/// owns (node_exporter's). It must never write, chmod or chown through a link planted there.
/// </summary>
public sealed class MetricsOutputSpecs : IDisposable
{
    private readonly HookSandbox _sandbox = new();
    private readonly TempDirectory _elsewhere = new();

    public void Dispose()
    {
        _sandbox.Dispose();
        _elsewhere.Dispose();
    }

    private (int Code, string Output, string Error) Run(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = new AdminCli(_sandbox.Paths, ToolPaths.Default with { Virsh = "/bin/false" }, output, error).Run(args);
        return (code, output.ToString(), error.ToString());
    }

    private string Victim()
    {
        var victim = _elsewhere.File("shadow");
        File.WriteAllText(victim, "root:$y$secret:20000:0:99999:7:::\n");
        File.SetUnixFileMode(victim, UnixFileMode.UserRead);
        return victim;
    }

    [Fact]
    public void Links_planted_at_every_temp_name_the_old_writer_used_change_nothing_and_the_metrics_file_is_written()
    {
        // Arrange: a directory another user may write, a root-owned victim, and links at
        // PATH.tmp-PID for this process (the admin command runs in it) and the pids around it.
        var directory = Directory.CreateDirectory(Path.Combine(_sandbox.Root, "node-exporter")).FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111 | UnixFileMode.StickyBit);
        var output = Path.Combine(directory, "libvirt-hook.prom");
        var victim = Victim();
        foreach (var pid in Enumerable.Range(Math.Max(1, Environment.ProcessId - 200), 400))
            File.CreateSymbolicLink($"{output}.tmp-{pid}", victim);
        _sandbox.WriteConfig("kiosk", """{"restart": {}}""");

        // Act
        var (code, _, error) = Run("metrics", "--output", output);

        // Assert
        code.Should().Be(0, error);
        File.ReadAllText(victim).Should().Be("root:$y$secret:20000:0:99999:7:::\n");
        File.GetUnixFileMode(victim).Should().Be(UnixFileMode.UserRead);
        LibvirtHook.Platform.FileSystem.Stat(victim).Owner.Should().Be(0u);
        var written = LibvirtHook.Platform.FileSystem.Stat(output);
        written.Kind.Should().Be(LibvirtHook.Platform.FileKind.Regular);
        written.Permissions.Should().Be(0b110_100_100);
        File.ReadAllText(output).Should().Contain("libvirt_hook_managed_vms 1\n");
        Directory.GetFiles(directory).Where(f => !f.Contains(".tmp-", StringComparison.Ordinal)).Should().Equal(output);
        Directory.GetFiles(directory).Count(f => f.Contains(".tmp-", StringComparison.Ordinal)).Should().Be(400, "only the planted links; no temp file of ours is left");
    }

    [Fact]
    public void A_link_at_the_output_name_is_replaced_by_the_file_and_its_target_keeps_its_bytes_owner_and_mode()
    {
        // Arrange
        var directory = Directory.CreateDirectory(Path.Combine(_sandbox.Root, "node-exporter")).FullName;
        var output = Path.Combine(directory, "libvirt-hook.prom");
        var victim = Victim();
        File.CreateSymbolicLink(output, victim);

        // Act
        var (code, _, error) = Run("metrics", "--output", output);

        // Assert
        code.Should().Be(0, error);
        File.ReadAllText(victim).Should().Be("root:$y$secret:20000:0:99999:7:::\n");
        File.GetUnixFileMode(victim).Should().Be(UnixFileMode.UserRead);
        var written = LibvirtHook.Platform.FileSystem.Stat(output);
        written.Kind.Should().Be(LibvirtHook.Platform.FileKind.Regular);
        written.Permissions.Should().Be(0b110_100_100, "a link's target lends the new file neither its mode nor its owner");
        File.ReadAllText(output).Should().StartWith("# HELP libvirt_hook_libvirt_up ");
    }

    [Fact]
    public void Rewriting_an_existing_metrics_file_keeps_its_owner_and_mode()
    {
        // Arrange
        var output = _elsewhere.File("libvirt-hook.prom");
        File.WriteAllText(output, "old\n");
        File.SetUnixFileMode(output, (UnixFileMode)0b110_100_000);
        LibvirtHook.Tools.ProcessRunner.Run("chown", ["65534:65534", output]);

        // Act
        var (code, _, error) = Run("metrics", "--output", output);

        // Assert
        code.Should().Be(0, error);
        var written = LibvirtHook.Platform.FileSystem.Stat(output);
        (written.Owner, written.Group, written.Permissions).Should().Be((65534u, 65534u, 0b110_100_000));
        File.ReadAllText(output).Should().Contain("libvirt_hook_managed_vms 0\n");
    }
}
