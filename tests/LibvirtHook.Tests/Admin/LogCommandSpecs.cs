using System.Text.Json;
using LibvirtHook.Admin;
using LibvirtHook.Tests.Support;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Admin;

public sealed class LogCommandSpecs : IDisposable
{
    private readonly HookSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private (int Code, string Output, string Error) Run(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = new AdminCli(_sandbox.Paths, ToolPaths.Default with { Virsh = "/bin/false" }, output, error).Run(args);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Log_json_gives_one_object_a_line_with_the_lines_own_keys_for_one_vm()
    {
        // Arrange: a real cycle of two VMs writes the log.
        var image = _sandbox.CreateImage("vm.qcow2");
        _sandbox.WriteConfig("a \"b\"", """{"disks": [{"target": "vda"}]}""");
        _sandbox.WriteConfig("other", """{"disks": []}""");
        var xml = HookSandbox.DomainXml("a \"b\"", ("vda", image));
        _sandbox.Run("a \"b\"", "prepare", xml);
        _sandbox.Run("other", "prepare", HookSandbox.DomainXml("other"));
        _sandbox.Run("a \"b\"", "release", xml, extra: "destroyed");

        // Act
        var (code, output, _) = Run("log", "a \"b\"", "--json");

        // Assert
        code.Should().Be(AdminCli.Ok);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        lines.Should().HaveCount(4).And.AllSatisfy(l => l.GetProperty("vm").GetString().Should().Be("a \"b\""));
        var release = lines[^1];
        release.GetProperty("op").GetString().Should().Be("release");
        release.GetProperty("outcome").GetString().Should().Be("ok");
        release.GetProperty("shutoff-reason").GetString().Should().Be("destroyed");
        release.GetProperty("reason-from").GetString().Should().Be("argument");
        release.GetProperty("ms").ValueKind.Should().Be(JsonValueKind.Number);
        lines[0].GetProperty("image").GetString().Should().Be(image);
    }

    [Fact]
    public void Log_since_takes_admin_durations_and_refuses_anything_else()
    {
        _sandbox.WriteConfig("vm", """{"disks": []}""");
        _sandbox.Run("vm", "prepare", HookSandbox.DomainXml("vm"));

        Run("log", "--since", "1h").Output.Should().Contain("vm=\"vm\" op=prepare outcome=ok");
        var (code, _, error) = Run("log", "--since", "yesterday");

        code.Should().Be(AdminCli.Usage);
        error.Should().Contain("--since \"yesterday\" is not a duration");
    }
}
