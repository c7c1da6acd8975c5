namespace LibvirtHook.Admin;

/// <summary>One line of hooks.log, as far as the monitoring commands care.</summary>
public sealed record HookLogLine
{
    public required DateTimeOffset Time { get; init; }

    public required string Vm { get; init; }

    /// <summary>prepare, release, started, restart, ...</summary>
    public required string Operation { get; init; }

    /// <summary>Everything after <c>op=...</c>.</summary>
    public required string Rest { get; init; }

    /// <summary>A hook call or a restart worker that failed.</summary>
    public bool IsError => Rest.StartsWith("outcome=error", StringComparison.Ordinal);

    /// <summary>The restart worker's crash-loop guard gave up on the VM.</summary>
    public bool IsCrashLoopGiveUp => Operation == "restart" && Rest.StartsWith("outcome=not-started", StringComparison.Ordinal) && Rest.Contains("why=\"crash-loop guard:", StringComparison.Ordinal);

    /// <summary>The VM is running again (started by the worker or by hand), so an earlier give-up is over.</summary>
    public bool IsStarted => Operation == "started" && Rest.StartsWith("outcome=ok", StringComparison.Ordinal);

    /// <summary>The <c>message="..."</c> of an error line, unquoted; the whole rest when there is none.</summary>
    public string Message
    {
        get
        {
            var at = Rest.IndexOf("message=\"", StringComparison.Ordinal);
            if (at < 0)
                return Rest;
            var text = Rest[(at + 9)..];
            return (text.EndsWith('"') ? text[..^1] : text).Replace("\\\"", "\"").Replace("\\\\", "\\");
        }
    }
}
