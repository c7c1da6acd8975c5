using LibvirtHook.Platform;
using LibvirtHook.Tests.Support;

namespace LibvirtHook.Tests.Platform;

public sealed class DetachedProcessSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_detached_process_has_its_own_session_only_dev_null_as_stdio_and_no_other_descriptor()
    {
        // Arrange: this test process holds pipes and files, as the hook holds libvirtd's pipes.
        var report = _temp.File("report");
        using var held = File.Open(_temp.File("held"), FileMode.Create);

        // Act
        var pid = DetachedProcess.Start(
            "/bin/sh",
            ["-c", "exec 9>\"$0.tmp\"; echo \"sid=$(cut -d' ' -f6 /proc/$$/stat) pid=$$ cwd=$(pwd) marker=$MARKER\" >&9; ls -l /proc/$$/fd >&9; mv \"$0.tmp\" \"$0\"", report],
            new Dictionary<string, string> { ["MARKER"] = "$(not run)", ["PATH"] = "/usr/bin:/bin" });
        SpinWait.SpinUntil(() => File.Exists(report), TimeSpan.FromSeconds(10));

        // Assert
        var lines = File.ReadAllLines(report);
        lines[0].Should().Be($"sid={pid} pid={pid} cwd=/ marker=$(not run)");
        // Besides stdio, only the descriptor the script itself opened to write this report (9).
        lines.Skip(1)
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, @" (\d+) -> (.*)$"))
            .Where(m => m.Success && m.Groups[1].Value != "9")
            .Select(m => $"{m.Groups[1].Value} -> {m.Groups[2].Value}")
            .Should().Equal(
            "0 -> /dev/null",
            "1 -> /dev/null",
            "2 -> /dev/null");
    }
}
