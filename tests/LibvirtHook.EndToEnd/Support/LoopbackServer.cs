using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LibvirtHook.Tools;

namespace LibvirtHook.EndToEnd.Support;

/// <summary>
/// A server program a spec starts on the host, listening on 127.0.0.1 only, at a port free when
/// it was picked; <see cref="Dispose"/> kills it and waits for it, so it never outlives the spec.
/// Its output is kept for the failure message.
/// </summary>
public sealed class LoopbackServer : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private LoopbackServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public int ProcessId => _process.Id;

    /// <summary>What it printed so far (both streams).</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <param name="arguments">Its argv; <c>{address}</c> in any of them becomes 127.0.0.1:PORT.</param>
    public static LoopbackServer Start(string program, IEnumerable<string> arguments)
    {
        var port = FreeLoopbackPort();
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument.Replace("{address}", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", StringComparison.Ordinal));
        var server = new LoopbackServer(Process.Start(start) ?? throw new InvalidOperationException($"Could not start \"{program}\"."), port);
        server._process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        return server;
    }

    /// <summary>The local addresses of every TCP socket the process listens on (ss, from iproute2).</summary>
    public IReadOnlyList<string> ListeningAddresses() =>
        ProcessRunner.Run("ss", ["-H", "-l", "-t", "-n", "-p"]).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.Contains($"pid={ProcessId.ToString(CultureInfo.InvariantCulture)},", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3])
            .ToList();

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
