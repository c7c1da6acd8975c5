using System.ComponentModel;
using System.Text;
using CliWrap;
using CliWrap.Buffered;

namespace LibvirtHook.Tools;

/// <summary>
/// The one way the hook runs another program (through CliWrap): an argv list, never a shell;
/// stdin an empty pipe, closed at once (the hook's own stdin is libvirt's domain XML); stdout and
/// stderr buffered, never inherited (libvirtd reads the hook's); and a time limit on every call.
/// </summary>
internal static class ProcessRunner
{
    /// <summary>For callers that name no limit (tests, one-off admin commands).</summary>
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromMinutes(10);

    /// <summary>
    /// CliWrap's graceful cancellation only sends SIGINT and never escalates; a program that
    /// ignores it (qemu-img stuck in the kernel on a dead NFS server) is SIGKILLed this much later.
    /// </summary>
    private static readonly TimeSpan KillAfterInterrupt = TimeSpan.FromSeconds(3);

    /// <exception cref="ToolException">The program could not start, exceeded its limit, or exited non-zero.</exception>
    public static ProcessResult Run(string program, IReadOnlyList<string> arguments, TimeSpan? limit = null)
    {
        var result = RunUnchecked(program, arguments, limit);
        if (result.ExitCode != 0)
            throw ToolException.Failed(program, arguments, result.ExitCode, result.StandardError);
        return result;
    }

    /// <exception cref="ToolException">The program could not start or exceeded its limit.</exception>
    public static ProcessResult RunUnchecked(string program, IReadOnlyList<string> arguments, TimeSpan? limit = null)
    {
        var within = limit ?? DefaultLimit;
        using var interrupt = new CancellationTokenSource(within);
        using var kill = new CancellationTokenSource(within + KillAfterInterrupt);
        var command = Cli.Wrap(program)
            .WithArguments(arguments)
            .WithStandardInputPipe(PipeSource.Null)
            .WithValidation(CommandResultValidation.None);
        try
        {
            var result = command.ExecuteBufferedAsync(Encoding.UTF8, Encoding.UTF8, kill.Token, interrupt.Token).Task.GetAwaiter().GetResult();
            return new ProcessResult(result.ExitCode, result.StandardOutput, result.StandardError);
        }
        catch (OperationCanceledException)
        {
            throw ToolException.TimedOut(program, arguments, within);
        }
        catch (Win32Exception e)
        {
            throw ToolException.CannotStart(program, arguments, e);
        }
        catch (InvalidOperationException e) when (e.InnerException is Win32Exception start)
        {
            throw ToolException.CannotStart(program, arguments, start);
        }
    }

    /// <summary>The command as the admin would type it, quoted for a message.</summary>
    public static string Describe(string program, IReadOnlyList<string> arguments) =>
        "\"" + string.Join(' ', new[] { program }.Concat(arguments)) + "\"";
}
