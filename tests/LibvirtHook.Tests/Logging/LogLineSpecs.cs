using LibvirtHook.Domain;
using LibvirtHook.Hook;
using LibvirtHook.Logging;
using LibvirtHook.Restart;
using LibvirtHook.Stateless;

namespace LibvirtHook.Tests.Logging;

public sealed class LogLineSpecs
{
    [Fact]
    public void A_release_line_reads_as_admins_have_always_seen_it()
    {
        var outcome = new CallOutcome
        {
            Action = HookAction.Released,
            Reason = new ReleaseReason(ShutoffReason.Shutdown, ReasonSource.Argument),
            Restart = new RestartHandoff(RestartDecision.Yes("reason \"shutdown\" is in restart.on"), 4242),
        };

        var line = LogCatalog.CallSucceeded("kiosk", "release", outcome, 2).ToString();

        line.Should().MatchRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d \[\d+\] ")
            .And.EndWith("vm=\"kiosk\" op=release outcome=ok action=released shutoff-reason=shutdown reason-from=argument restart=scheduled worker-pid=4242 ms=2");
    }

    [Fact]
    public void Values_with_spaces_quotes_or_newlines_are_quoted_and_read_back_exactly()
    {
        // Arrange
        const string vm = "a \"vm\" \\ with\nnewline $(x) ok=1";
        var step = new DiskStep { Target = "vda", Action = DiskAction.DiscardedOverlay, Image = "/srv/my images/a=b.qcow2", Ms = 0 };

        // Act
        var text = LogCatalog.DiskStepDone(vm, "release", step).ToString();
        var parsed = LogLine.TryParse(text, out var line);

        // Assert
        text.Should().NotContain("\n").And.Contain("action=\"discarded overlay\" image=\"/srv/my images/a=b.qcow2\" ms=0");
        parsed.Should().BeTrue();
        line.Vm.Should().Be(vm);
        line.Op.Should().Be("release");
        line[LogCatalog.Keys.Action].Should().Be("discarded overlay");
        line[LogCatalog.Keys.Image].Should().Be("/srv/my images/a=b.qcow2");
        line.Number(LogCatalog.Keys.Ms).Should().Be(0);
    }

    [Fact]
    public void A_failed_call_and_a_worker_line_keep_their_keys_in_order()
    {
        var failed = LogCatalog.CallFailed("vm", "prepare", "Config \"x\" is bad.", 7);
        var restarted = LogCatalog.RestartEnded("vm", new RestartOutcome
        {
            Result = RestartResult.Started, Reason = ShutoffReason.Shutdown, WaitedMs = 16, Why = "yes", DelaySeconds = 0, StartMs = 331, TotalMs = 348,
        });

        failed.Summary().Should().EndWith("op=prepare outcome=error ms=7 message=\"Config \\\"x\\\" is bad.\"");
        restarted.Summary().Should().EndWith("op=restart outcome=started reason=shutdown waited-ms=16 why=\"yes\" delay-s=0 start-ms=331 total-ms=348");
        LogCatalog.IsCallEnd(failed).Should().BeTrue();
        LogCatalog.IsCallEnd(restarted).Should().BeFalse();
    }

    [Fact]
    public void A_refresh_line_says_what_refresh_did_and_is_not_taken_for_a_hook_call()
    {
        var started = LogCatalog.RefreshEnded("vm", new LibvirtHook.Refresh.RefreshOutcome
        {
            Action = LibvirtHook.Refresh.RefreshAction.DestroyedAfterTimeout, Started = true, StopMs = 5012, DownMs = 431, TotalMs = 5490,
        }, TimeSpan.FromSeconds(5));
        var held = LogCatalog.RefreshEnded("vm", new LibvirtHook.Refresh.RefreshOutcome
        {
            Action = LibvirtHook.Refresh.RefreshAction.LeftHeld, Why = "held", TotalMs = 3,
        }, TimeSpan.FromSeconds(120));
        var failed = LogCatalog.RefreshEnded("vm", new LibvirtHook.Refresh.RefreshOutcome { Failed = true, Why = "no domain", TotalMs = 2 }, TimeSpan.FromSeconds(120));

        started.Summary().Should().EndWith("op=refresh outcome=started action=destroyed-after-timeout timeout-s=5 stop-ms=5012 down-ms=431 total-ms=5490");
        held.Summary().Should().EndWith("op=refresh outcome=not-started action=held why=\"held\" total-ms=3");
        failed.Summary().Should().EndWith("op=refresh outcome=error ms=2 message=\"no domain\"");
        new[] { started, held, failed }.Should().AllSatisfy(l => LogCatalog.IsCallEnd(l).Should().BeFalse());
        LibvirtHook.Admin.LogJson.Write(started).Should().EndWith("\"op\":\"refresh\",\"outcome\":\"started\",\"action\":\"destroyed-after-timeout\",\"timeout-s\":5,\"stop-ms\":5012,\"down-ms\":431,\"total-ms\":5490}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a log line")]
    [InlineData("2026-11-22T00:04:18.748+00:00 [7912] op=prepare vm=\"x\"")]
    [InlineData("2026-11-22T00:04:18.748+00:00 [7912] vm=\"unterminated op=prepare")]
    public void Lines_that_are_not_hook_lines_are_not_read(string text)
    {
        LogLine.TryParse(text, out _).Should().BeFalse();
    }
}
