using System.Diagnostics;

namespace LogContention;

/// <summary>
/// For each writer: N processes append M lines each to one fresh file, all starting at the same
/// moment; then the file is read back and every line is either whole (its payload parses) or
/// torn, and every (process, sequence) never found whole is lost.
/// </summary>
internal static class Comparison
{
    public static int Run(string[] args)
    {
        var options = ComparisonOptions.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine("usage: log-contention [--processes N] [--lines M] [--runs R] [--writers HookLog,SerilogShared,...]");
            return 2;
        }

        var self = Environment.ProcessPath ?? throw new InvalidOperationException("The bench cannot find its own executable to start writers.");
        var directory = Directory.CreateTempSubdirectory("log-contention-");
        try
        {
            Console.WriteLine($"{options.Processes} processes x {options.Lines} lines per writer, {options.Runs} run(s)");
            Console.WriteLine($"{"run",-4} {"writer",-20} {"expected",9} {"found",9} {"lost",9} {"torn",7} {"time ms",9}");
            for (var run = 1; run <= options.Runs; run++)
            {
                foreach (var kind in options.Writers)
                {
                    var path = System.IO.Path.Combine(directory.FullName, $"{kind}-{run}.log");
                    var result = Measure(self, kind, path, options);
                    Console.WriteLine($"{run,-4} {kind,-20} {result.Expected,9} {result.Found,9} {result.Lost,9} {result.Torn,7} {result.Elapsed.TotalMilliseconds,9:F0}");
                }
            }

            return 0;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static ContentionResult Measure(string self, WriterKind kind, string path, ComparisonOptions options)
    {
        // Every writer sleeps until the same moment, so start-up cost does not serialise them.
        var startAt = DateTimeOffset.UtcNow.AddMilliseconds(200 + 10 * options.Processes);
        var writers = new List<(Process Process, int Id)>();
        for (var i = 0; i < options.Processes; i++)
        {
            var process = Process.Start(new ProcessStartInfo(self, ["write", kind.ToString(), path, options.Lines.ToString(), startAt.ToUnixTimeMilliseconds().ToString()])
            {
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException($"Could not start writer {i}.");
            writers.Add((process, process.Id));
        }

        foreach (var (process, _) in writers)
        {
            process.WaitForExit();
            if (process.ExitCode != 0)
                Console.Error.WriteLine($"log-contention: a {kind} writer exited with {process.ExitCode}");
        }

        var elapsed = DateTimeOffset.UtcNow - startAt;
        var found = new HashSet<(int, int)>();
        var torn = 0;
        foreach (var line in File.Exists(path) ? File.ReadLines(path) : [])
        {
            if (BenchLine.Parse(line) is { } key)
                found.Add(key);
            else
                torn++;
        }

        var expected = writers.Count * options.Lines;
        var valid = writers.SelectMany(w => Enumerable.Range(0, options.Lines).Select(s => (w.Id, s))).Count(found.Contains);
        return new ContentionResult
        {
            Expected = expected,
            Found = valid,
            Lost = expected - valid,
            Torn = torn,
            Elapsed = elapsed,
        };
    }
}
