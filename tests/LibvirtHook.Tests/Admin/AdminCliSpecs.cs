using System.Text.Json;
using LibvirtHook.Admin;
using LibvirtHook.Tests.Support;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Admin;

public sealed class AdminCliSpecs : IDisposable
{
    private readonly HookSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private (int Code, string Output, string Error) Run(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var tools = ToolPaths.Default with { Virsh = "/bin/false" };
        var code = new AdminCli(_sandbox.Paths, tools, output, error).Run(args);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("hold")]
    [InlineData("status", "one", "two")]
    public void A_usage_error_exits_2_and_points_to_help(params string[] args)
    {
        var (code, _, error) = Run(args);

        code.Should().Be(ExitCodes.Usage);
        error.Should().Contain("Try: libvirt-hook --help");
    }

    [Fact]
    public void Commit_once_on_a_vm_without_config_exits_1_and_says_so()
    {
        var (code, _, error) = Run("commit-once", "nobody");

        code.Should().Be(ExitCodes.Failed);
        error.Should().Contain("\"nobody\" has no config");
    }

    [Fact]
    public void Hold_and_unhold_create_and_remove_the_hold_and_status_shows_it()
    {
        _sandbox.WriteConfig("kiosk", """{"restart": {}}""");

        var hold = Run("hold", "kiosk");
        var status = Run("status", "kiosk");
        var unhold = Run("unhold", "kiosk");
        var again = Run("unhold", "kiosk");

        hold.Code.Should().Be(0);
        status.Output.Should().Contain("kiosk: unknown, HELD (no automatic restarts)");
        unhold.Output.Should().Contain("is no longer held");
        again.Output.Should().Contain("was not held");
        File.Exists(_sandbox.Paths.HoldFile("kiosk")).Should().BeFalse();
    }

    [Fact]
    public void Status_of_a_vm_with_a_broken_config_shows_the_error_instead_of_failing()
    {
        _sandbox.WriteConfig("kiosk", """{"disks": [{"targt": "vda"}]}""");

        var (code, output, _) = Run("status", "--json");

        code.Should().Be(0);
        output.Should().Contain("\"config-error\": \"Config").And.Contain("did you mean \\\"target\\\"");
    }

    [Theory]
    [InlineData("/etc/libvirt/hooks/qemu", true)]
    [InlineData("/etc/libvirt/hooks/qemu.d/libvirt-hook", true)]
    [InlineData("qemu", true)]
    [InlineData("/usr/local/sbin/libvirt-hook", false)]
    [InlineData("./artifacts/hook/libvirt-hook", false)]
    public void The_binary_is_the_hook_only_under_the_names_libvirtd_runs(string argv0, bool hook)
    {
        InvocationName.IsHook(argv0).Should().Be(hook);
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
        code.Should().Be(ExitCodes.Ok);
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

        code.Should().Be(ExitCodes.Usage);
        error.Should().Contain("--since \"yesterday\" is not a duration");
    }
}
