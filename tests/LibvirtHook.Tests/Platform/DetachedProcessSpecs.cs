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
        // Arrange: this test process holds open files, as the hook holds libvirtd's pipes.
        using var held = File.Open(_temp.File("held"), FileMode.Create);

        // Act
        var pid = DetachedProcess.Start("/bin/sleep", ["30"], new Dictionary<string, string> { ["MARKER"] = "$(not run)" });

        // Assert
        try
        {
            // Descriptors come and go for a moment after the spawn: posix_spawn returns before the
            // kernel has closed the close-on-exec ones, and then sleep's dynamic loader opens
            // ld.so.cache and libc as descriptor 3 and closes them. An inherited descriptor would
            // stay, so wait (up to 5 s) until only three are left, then look at them.
            var descriptors = Descriptors(pid);
            SpinWait.SpinUntil(() => (descriptors = Descriptors(pid)).Count == 3, TimeSpan.FromSeconds(5));
            descriptors.Should().Equal("0 -> /dev/null", "1 -> /dev/null", "2 -> /dev/null");
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[3].Should().Be(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "field 6 of stat is the session id");
            new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget.Should().Be("/");
            // Seen empty once under load for a moment after the spawn: read it once it is there.
            SpinWait.SpinUntil(() => File.ReadAllText($"/proc/{pid}/environ").Length > 0, TimeSpan.FromSeconds(5));
            File.ReadAllText($"/proc/{pid}/environ").Split('\0').Should().Equal("MARKER=$(not run)", "");
        }
        finally
        {
            System.Diagnostics.Process.GetProcessById(pid).Kill();
        }
    }

    private static List<string> Descriptors(int pid) =>
        Directory.GetFiles($"/proc/{pid}/fd")
            .Select(fd => $"{Path.GetFileName(fd)} -> {new FileInfo(fd).LinkTarget}")
            .Order()
            .ToList();
}
