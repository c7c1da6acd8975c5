using LibvirtHook.Logging;
using Serilog;

namespace LogContention;

/// <summary>One writer process: waits for the common start time, then appends its lines.</summary>
internal static class LineWriters
{
    private const string Template = "{Timestamp:yyyy-MM-ddTHH:mm:ss.fffzzz} [{ProcessId}] {Message:l}{NewLine}";

    public static int Run(WriterKind kind, string path, int lines, long startAtUnixMs)
    {
        var processId = Environment.ProcessId;
        var wait = startAtUnixMs - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (wait > 0)
            Thread.Sleep((int)wait);

        if (kind == WriterKind.HookLog)
        {
            var log = new HookLog(path);
            for (var sequence = 0; sequence < lines; sequence++)
                log.Write(new LogLine { Time = DateTimeOffset.Now, Pid = processId, Vm = "bench", Op = "contention", Fields = BenchLine.Fields(processId, sequence) });
            return 0;
        }

        var configuration = new LoggerConfiguration().Enrich.WithProperty("ProcessId", processId);
        using var logger = kind switch
        {
            WriterKind.SerilogShared => configuration.WriteTo.File(path, outputTemplate: Template, shared: true).CreateLogger(),
            WriterKind.SerilogUnbuffered => configuration.WriteTo.File(path, outputTemplate: Template, buffered: false).CreateLogger(),
            WriterKind.SerilogHookLogSink => configuration.WriteTo.Sink(new HookLogSink(new HookLog(path))).CreateLogger(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "No such writer."),
        };
        for (var sequence = 0; sequence < lines; sequence++)
            logger.Information(BenchLine.Template, processId, sequence, BenchLine.Filler(sequence));
        return 0;
    }
}
