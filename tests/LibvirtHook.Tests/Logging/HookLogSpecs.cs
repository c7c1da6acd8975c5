using LibvirtHook.Logging;
using LibvirtHook.Tests.Support;

namespace LibvirtHook.Tests.Logging;

public sealed class HookLogSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Lines_written_at_once_by_many_writers_are_all_there_and_whole()
    {
        // Arrange
        var path = _temp.File("log/hooks.log");
        var padding = new string('x', 3000);

        // Act: separate HookLog instances open separate descriptors, as separate processes do.
        Parallel.For(0, 8, writer =>
        {
            for (var i = 0; i < 200; i++)
                new HookLog(path).Write(LogCatalog.Warned($"vm{writer}", "prepare", $"{i}", padding));
        });

        // Assert
        var text = File.ReadAllText(path);
        var lines = LogLine.ParseAll(text);
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(1600);
        lines.Should().HaveCount(1600).And.AllSatisfy(l => l[LogCatalog.Keys.Warning].Should().Be(padding));
        lines.Select(l => (l.Vm, l[LogCatalog.Keys.Disk])).Should().OnlyHaveUniqueItems();
    }
}
