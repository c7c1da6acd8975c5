using System.Text.Json;
using LibvirtHook.Admin;
using LibvirtHook.Admin.Monitoring;
using LibvirtHook.Tests.Support;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Admin;

/// <summary>
/// Issue 15: names and messages others chose reach check, status, validate and log; none of them
/// may add a line, fake performance data or send the terminal an escape sequence.
/// </summary>
public sealed class UntrustedOutputSpecs : IDisposable
{
    private const string Esc = "\u001b";

    private readonly HookSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private (int Code, string Output, string Error) Run(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        // libvirtd "does not answer": every VM is judged from its files only.
        var code = new AdminCli(_sandbox.Paths, ToolPaths.Default with { Virsh = "/bin/false" }, output, error).Run(args);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void A_held_vm_named_with_a_pipe_adds_no_performance_data_to_checks_status_line()
    {
        // Arrange
        const string name = "kiosk|evil=1;2;3";
        _sandbox.WriteConfig(name, """{"restart": {}}""");
        Run("hold", name).Code.Should().Be(0);

        // Act
        var (code, output, _) = Run("check", name);

        // Assert
        code.Should().Be((int)CheckState.Warning);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be(
            "LIBVIRT-HOOK WARNING - \"kiosk\\x7cevil=1;2;3\" is held: it is not restarted automatically until libvirt-hook unhold. (and 1 more below)"
            + " | managed_vms=1;;;0 vms_on_overlays=0;;;0 overlay_bytes=0B;;;0 restarts_in_window=0;;;0");
        lines[0].Count(c => c == '|').Should().Be(1, "Nagios splits the status line at its first |; only the performance data may follow one");
        lines[1].Should().Be("WARNING: \"kiosk\\x7cevil=1;2;3\" is held: it is not restarted automatically until libvirt-hook unhold.");
        lines[2].Should().StartWith("UNKNOWN: libvirtd does not answer");
        lines.Should().HaveCount(3);
        lines.Should().AllSatisfy(l => l.Should().NotContain(Esc));
    }

    [Fact]
    public void A_config_named_with_an_escape_and_a_newline_shows_up_escaped_in_check_status_and_validate()
    {
        // Arrange: a file name may hold any byte but '/' and NUL.
        var name = $"kiosk{Esc}[2J\nCRITICAL: forged";
        _sandbox.WriteConfig(name, """{"disks": [{"targt": "vda"}]}""");
        const string shown = "kiosk\\x1b[2J\\nCRITICAL: forged";

        // Act
        var check = Run("check");
        var status = Run("status");
        var validate = Run("validate");

        // Assert: every line starts where the command started it; the name is one visible string.
        foreach (var output in new[] { check.Output, status.Output, validate.Output })
        {
            output.Should().NotContain(Esc);
            output.Split('\n').Should().NotContain(l => l.StartsWith("CRITICAL: forged", StringComparison.Ordinal));
        }

        check.Code.Should().Be((int)CheckState.Critical);
        check.Output.Split('\n').Should().ContainSingle(l => l.StartsWith("CRITICAL: ", StringComparison.Ordinal) && l.Contains($"/{shown}.json\"", StringComparison.Ordinal));
        status.Output.Should().StartWith($"{shown}: unknown\n");
        validate.Code.Should().Be(1);
        validate.Output.Split('\n').Should().ContainSingle(l => l.StartsWith("Config \"", StringComparison.Ordinal) && l.Contains($"/{shown}.json\"", StringComparison.Ordinal));
    }

    [Fact]
    public void A_log_message_with_an_escape_a_newline_and_a_pipe_is_shown_escaped_by_log_and_check_and_round_trips_through_log_json()
    {
        // Arrange: a failed call whose message quotes what QEMU's user chose (a backing file name),
        // as a line the hook wrote, and the same message raw, as an older or damaged line would be.
        const string message = "backing file \"x\u001b]0;pwned\u0007|y=1\" is not the base;\nCRITICAL: forged \\n";
        _sandbox.WriteConfig("kiosk", """{"restart": {}}""");
        Directory.CreateDirectory(Path.GetDirectoryName(_sandbox.Paths.LogFile)!);
        var now = DateTimeOffset.Now;
        var written = LibvirtHook.Logging.LogCatalog.CallFailed("kiosk", "release", message, 3) with { Time = now };
        File.WriteAllText(_sandbox.Paths.LogFile, written + "\n");

        // Act
        var log = Run("log", "kiosk");
        var json = Run("log", "kiosk", "--json");
        var check = Run("check", "kiosk");

        // Assert
        File.ReadAllText(_sandbox.Paths.LogFile).Should().NotContain(Esc).And.NotContain("\u0007", "hooks.log itself is read with tail on terminals");
        log.Output.Should().Be(
            $"{now.ToString(LibvirtHook.Logging.LogLine.TimeFormat, System.Globalization.CultureInfo.InvariantCulture)} [{Environment.ProcessId}] vm=\"kiosk\" op=release outcome=error ms=3 message=\"backing file \\\"x\\x1b]0;pwned\\x07|y=1\\\" is not the base;\\nCRITICAL: forged \\\\n\"\n");
        JsonDocument.Parse(json.Output).RootElement.GetProperty("message").GetString().Should().Be(message);
        check.Output.Should().NotContain(Esc).And.NotContain("\u0007");
        var finding = check.Output.Split('\n').Single(l => l.StartsWith("CRITICAL: \"kiosk\": 1 failed hook call", StringComparison.Ordinal));
        finding.Should().EndWith("(op=release): backing file \"x\\x1b]0;pwned\\x07\\x7cy=1\" is not the base;\\nCRITICAL: forged \\\\n");
        check.Output.Split('\n')[0].Count(c => c == '|').Should().Be(1);
    }

    [Theory]
    [InlineData("plain name", "plain name", "plain name")]
    [InlineData("a|b", "a|b", "a\\x7cb")]
    [InlineData("a\nb\rc\td", "a\\nb\\rc\\td", "a\\nb\\rc\\td")]
    [InlineData("esc\u001b[31m", "esc\\x1b[31m", "esc\\x1b[31m")]
    [InlineData("nul\u0000del\u007fcsi\u009b", "nul\\x00del\\x7fcsi\\x9b", "nul\\x00del\\x7fcsi\\x9b")]
    [InlineData("back\\slash\\n", "back\\\\slash\\\\n", "back\\\\slash\\\\n")]
    [InlineData("rtl\u202eevil\u2028line", "rtl\\u202eevil\\u2028line", "rtl\\u202eevil\\u2028line")]
    [InlineData("Käse 😀", "Käse 😀", "Käse 😀")]
    public void Untrusted_text_shows_every_control_character_as_a_visible_unambiguous_escape(string text, string terminal, string pluginLine)
    {
        UntrustedText.ForTerminal(text).Should().Be(terminal);
        UntrustedText.ForPluginLine(text).Should().Be(pluginLine);
    }
}
