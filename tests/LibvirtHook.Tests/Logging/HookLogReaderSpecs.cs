using System.Globalization;
using System.Text;
using LibvirtHook.Domain;
using LibvirtHook.Logging;
using LibvirtHook.Restart;
using LibvirtHook.Tests.Support;

namespace LibvirtHook.Tests.Logging;

public sealed class HookLogReaderSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("kiosk")]
    [InlineData("a \"quoted\" \\ name")]
    [InlineData("op=x vm=\"y\" outcome=error")]
    public void A_crash_loop_give_up_the_worker_wrote_reads_back_as_one_for_its_vm(string vm)
    {
        // Arrange
        var path = _temp.File("hooks.log");
        var decision = RestartPlanner.ForHistory(new LibvirtHook.Config.RestartPolicy { MaxRestarts = 1 }, [DateTimeOffset.UtcNow], DateTimeOffset.UtcNow);
        new HookLog(path).Write(LogCatalog.RestartEnded(vm, new RestartOutcome { Result = RestartResult.NotStarted, Reason = ShutoffReason.Shutdown, WaitedMs = 3, Why = decision.Why }));

        // Act
        var line = new HookLogReader(path).Since(DateTimeOffset.Now.AddMinutes(-1)).Single();

        // Assert
        line.Vm.Should().Be(vm);
        LogCatalog.IsCrashLoopGiveUp(line).Should().BeTrue();
    }

    [Fact]
    public void Since_reads_only_the_recent_end_of_a_log_of_many_megabytes()
    {
        // Arrange
        var path = _temp.File("hooks.log");
        var old = new StringBuilder();
        for (var i = 0; i < 40_000; i++)
            old.Append(CultureInfo.InvariantCulture, $"2026-11-20T10:00:00.000+00:00 [1] vm=\"old{i}\" op=prepare outcome=error ms=1 message=\"{new string('x', 100)}\"\n");
        File.WriteAllText(path, old.ToString());
        File.AppendAllText(path, "2026-11-25T11:30:00.000+00:00 [2] vm=\"kiosk\" op=release outcome=error ms=3 message=\"Cannot rename \\\"a\\\".\"\ntorn line without a time\n");

        // Act
        var lines = new HookLogReader(path).Since(new DateTimeOffset(2026, 11, 25, 11, 0, 0, TimeSpan.Zero));

        // Assert
        new FileInfo(path).Length.Should().BeGreaterThan(5_000_000);
        lines.Should().ContainSingle().Which[LogCatalog.Keys.Message].Should().Be("Cannot rename \"a\".");
    }
}
