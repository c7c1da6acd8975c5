using System.Text;
using LibvirtHook.Admin;
using LibvirtHook.Logging;
using LibvirtHook.Tests.Support;

namespace LibvirtHook.Tests.Admin;

public sealed class HookLogScanSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("kiosk")]
    [InlineData("a \"quoted\" \\ name")]
    [InlineData("op=x vm=\"y\" outcome=error")]
    public void A_line_the_hook_wrote_reads_back_with_its_vm_and_operation(string vm)
    {
        // Arrange
        var path = _temp.File("hooks.log");
        new HookLog(path).Write(vm, "restart", "outcome=not-started reason=shutdown waited-ms=3 why=\"crash-loop guard: 3 restarts in the last 600 s already (max-restarts 3); giving up\"");

        // Act
        var line = HookLogScan.Since(path, DateTimeOffset.Now.AddMinutes(-1)).Single();

        // Assert
        line.Vm.Should().Be(vm);
        line.Operation.Should().Be("restart");
        line.IsCrashLoopGiveUp.Should().BeTrue();
        line.IsError.Should().BeFalse();
    }

    [Fact]
    public void Only_lines_since_the_moment_are_read_even_from_a_log_of_many_megabytes()
    {
        // Arrange
        var path = _temp.File("hooks.log");
        var old = new StringBuilder();
        for (var i = 0; i < 40_000; i++)
            old.Append(CultureInfo($"2026-11-20T10:00:00.000+00:00 [1] vm=\"old{i}\" op=prepare outcome=error ms=1 message=\"{new string('x', 100)}\"\n"));
        File.WriteAllText(path, old.ToString());
        File.AppendAllText(path, "2026-11-25T11:30:00.000+00:00 [2] vm=\"kiosk\" op=release outcome=error ms=3 message=\"Cannot rename \\\"a\\\".\"\ntorn line without a time\n");

        // Act
        var lines = HookLogScan.Since(path, new DateTimeOffset(2026, 11, 25, 11, 0, 0, TimeSpan.Zero));

        // Assert
        new FileInfo(path).Length.Should().BeGreaterThan(5_000_000);
        lines.Should().ContainSingle().Which.Message.Should().Be("Cannot rename \"a\".");
    }

    private static string CultureInfo(FormattableString text) => FormattableString.Invariant(text);
}
