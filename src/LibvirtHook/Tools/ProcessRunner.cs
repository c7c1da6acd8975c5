using System.Diagnostics;

namespace LibvirtHook.Tools;

/// <summary>
/// The one way the hook runs another program: an argv list (never a shell), stdin closed,
/// stdout and stderr captured (never inherited: libvirtd reads ours).
/// </summary>
public static class ProcessRunner
{
    public static ProcessResult Run(string program, IReadOnlyList<string> arguments, TimeSpan? timeout = null)
    {
        var result = RunUnchecked(program, arguments, timeout);
        if (result.ExitCode != 0)
        {
            throw new ToolException(
                $"{Describe(program, arguments)} failed with exit code {result.ExitCode}: {OneLine(result.StandardError)}");
        }

        return result;
    }

    public static ProcessResult RunUnchecked(string program, IReadOnlyList<string> arguments, TimeSpan? timeout = null)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ToolException($"Cannot run \"{program}\": {e.Message}. Is it installed and on PATH?", e);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(30)))
        {
            process.Kill(entireProcessTree: true);
            throw new ToolException($"{Describe(program, arguments)} did not finish within {timeout}; it was killed.");
        }

        return new ProcessResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    public static string Describe(string program, IReadOnlyList<string> arguments) =>
        "\"" + string.Join(' ', new[] { program }.Concat(arguments)) + "\"";

    private static string OneLine(string text)
    {
        var trimmed = text.Trim().ReplaceLineEndings(" ");
        return trimmed.Length == 0 ? "(no error output)" : trimmed;
    }
}
